"""Language identification and sentiment models for listening (all offline, all on one core)."""
