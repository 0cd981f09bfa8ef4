"""What the tickets service calls: Temporal (lifecycle), the auth service (directory),
the files service (attachments)."""
