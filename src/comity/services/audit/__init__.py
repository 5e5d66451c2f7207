"""The verifiable audit log: appending in the caller's transaction, proofs, checkpoints,
verification, the listing, and exports for the other party (and their verification).

Each seam is a module of this package (`append`, `denials`, `proofs`, `checkpoints`,
`verification`, `listing`, `export`, `export_verification`); callers use the verbs re-exported
here: ``audit.record(session, actor, "<subject>.<verb>", audit.Target(type, id), details)``.
The leaf format itself (written and read) is the domain's, `comity.domain.audit.leaves`.
"""

from comity.domain.audit.leaves import Target
from comity.services.audit.append import (
    engine_with_origin,
    record,
    stored_origin,
)
from comity.services.audit.checkpoints import CheckpointInfo, checkpoint
from comity.services.audit.denials import record_denial
from comity.services.audit.export import ExportSummary, export
from comity.services.audit.export_verification import ExportReport, verify_export
from comity.services.audit.listing import LogEntry, log_entries
from comity.services.audit.proofs import (
    ConsistencyProof,
    InclusionProof,
    prove_consistency,
    prove_inclusion,
)
from comity.services.audit.verification import VerifyReport, verify

__all__ = [
    "CheckpointInfo",
    "ConsistencyProof",
    "ExportReport",
    "ExportSummary",
    "InclusionProof",
    "LogEntry",
    "Target",
    "VerifyReport",
    "checkpoint",
    "engine_with_origin",
    "export",
    "log_entries",
    "prove_consistency",
    "prove_inclusion",
    "record",
    "record_denial",
    "stored_origin",
    "verify",
    "verify_export",
]
