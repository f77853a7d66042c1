"""Every write of court docking, each in one transaction with its trace event."""
