"""Tests of the ticket store, through the real gRPC APIs (the `stack` fixture)."""
