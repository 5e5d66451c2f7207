"""What every area's services share: requiring the actor's authority before an act, and
instants in UTC.

The kernel's services sit below every area (and below the audit log, whose checkpoints need
authority too); they change nothing themselves.
"""

from comity.services.kernel.authorization import require_role
from comity.services.kernel.moments import as_utc, utc_now

__all__ = ["as_utc", "require_role", "utc_now"]
