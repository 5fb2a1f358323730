"""Background work that must run once across all server processes: leases and the runner."""
