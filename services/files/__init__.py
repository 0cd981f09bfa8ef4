"""FileService: attachments of tickets and comments, streamed in chunks."""
