"""Persistence: the ORM tables, the database connection and its transactions."""
