"""公示: notice batches in the window."""
