"""What each call of the tickets service does, one module per area."""
