"""Code shared by the three gRPC services: configuration, server, auth, errors."""
