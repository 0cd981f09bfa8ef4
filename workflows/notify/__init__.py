"""Notifications: e-mail (SMTP or the development outbox) and the in-app bell."""
