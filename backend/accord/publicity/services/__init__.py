"""State changes of the publicity app; each writes its trace event on the organization's
chain (``org:<CODE>``) in the same transaction, with ids and SHA-256 of texts only."""
