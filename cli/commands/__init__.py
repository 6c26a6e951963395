"""One module per command (or command family)."""
