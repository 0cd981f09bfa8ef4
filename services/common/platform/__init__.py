"""What every process needs, server or client: configuration, logs, metrics, tracing and
the Temporal connection."""
