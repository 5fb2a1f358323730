"""Use cases: each runs in one transaction and sends its live event only after commit."""
