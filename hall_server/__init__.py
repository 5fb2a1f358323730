"""HallQ central server: the queue, its API and its live events."""
