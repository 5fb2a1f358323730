"""Counter clients: the clerk's page and the terminal caller."""
