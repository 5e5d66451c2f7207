"""The ORM models, one module per area. Every module of this package is imported here, so that
`Base.metadata` is complete for Alembic; a new area adds its module and edits nothing here."""

import sys

from comity.discovery import submodules
from comity.persistence.models.base import Base

submodules(sys.modules[__name__])

__all__ = ["Base"]
