"""Kiosk hardware: the ESC/POS thermal printer that prints queue tickets."""
