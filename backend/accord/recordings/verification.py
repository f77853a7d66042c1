"""Object checks for `accord verify-case` (recordings); filled in below."""
