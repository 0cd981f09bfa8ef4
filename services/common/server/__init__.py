"""The server side every service shares: the grpc.aio server, authentication, the
caller's principal, rich errors, databases and page tokens."""
