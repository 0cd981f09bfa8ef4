"""What each call of the auth service does, one module per area."""
