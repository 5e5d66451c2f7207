"""SQLAlchemy models, repositories (queries only) and Alembic migrations."""
