"""Object checks for `accord verify-case` (evidence files)."""
