"""The demo: a city service centre and a township centre under it, with staff and devices."""
