"""Every model module is imported here so that `Base.metadata` is complete for Alembic."""

from comity.persistence.models import accounts, agreements, audit, security
from comity.persistence.models.base import Base

__all__ = ["Base", "accounts", "agreements", "audit", "security"]
