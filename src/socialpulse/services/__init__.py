"""Use cases: what the CLI, the API and the pages ask for, written once."""
