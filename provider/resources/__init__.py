"""albform.provider.resources (being built)."""
