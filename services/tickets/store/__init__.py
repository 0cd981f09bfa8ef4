"""The ticket store's queries (SQLAlchemy): every query of a caller's data is scoped by
the caller's principal. No gRPC here."""
