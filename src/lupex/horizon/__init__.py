"""lupex.horizon layer."""
