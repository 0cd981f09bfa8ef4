"""Alembic migrations of the files database."""
