"""Policy and calendar updates: import into the encrypted database, list (see updates)."""
