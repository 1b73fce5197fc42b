"""Alembic migrations: the one owner of the schema."""
