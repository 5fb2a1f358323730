"""The queue core: ticket life, numbering, calling policy and wait estimates; pure, clock-free."""
