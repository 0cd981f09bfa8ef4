"""What each call of the files service does: upload, download, listing."""
