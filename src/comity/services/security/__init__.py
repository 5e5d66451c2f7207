"""The security area in the database: classification schemes, equivalence tables, clearances,
need-to-know grants, and the access questions asked of them.

Each seam is a module of this package (`schemes`, `equivalences`, `clearances`,
`need_to_know`, `access`, with `definitions` and `records` holding what they share); callers
use the verbs re-exported here (``security.grant_clearance(session, actor, person, …)``). It
owns every change to the `security_scheme`, `security_equivalence`, `security_clearance` and
`security_need_to_know_grant` tables.
"""

from comity.services.security.access import (
    build_subject,
    explain_access,
    marking,
    translate_label,
)
from comity.services.security.clearances import (
    grant_clearance,
    list_clearances,
    revoke_clearance,
)
from comity.services.security.definitions import (
    LoadResult,
    all_equivalences,
    get_policy,
    policies,
)
from comity.services.security.equivalences import load_equivalence
from comity.services.security.need_to_know import (
    add_need_to_know,
    list_grants,
    revoke_need_to_know,
)
from comity.services.security.schemes import load_scheme

__all__ = [
    "LoadResult",
    "add_need_to_know",
    "all_equivalences",
    "build_subject",
    "explain_access",
    "get_policy",
    "grant_clearance",
    "list_clearances",
    "list_grants",
    "load_equivalence",
    "load_scheme",
    "marking",
    "policies",
    "revoke_clearance",
    "revoke_need_to_know",
    "translate_label",
]
