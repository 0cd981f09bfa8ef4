"""The auth service: organizations, users, sessions, API tokens."""
