"""albform.provider.client (being built)."""
