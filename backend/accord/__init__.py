"""Accord domain apps."""
