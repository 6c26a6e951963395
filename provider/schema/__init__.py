"""albform.provider.schema (being built)."""
