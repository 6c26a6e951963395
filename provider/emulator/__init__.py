"""albform.provider.emulator (being built)."""
