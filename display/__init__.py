"""Lobby boards and window displays: who is called where, seen and heard."""
