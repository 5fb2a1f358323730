"""Kiosk: the visitor's touch screen and the print agent beside the thermal printer."""
