"""Views: everything the CLI prints. Commands never format output themselves."""
