"""What the files service calls: the tickets service (who may see what) and the disk."""
