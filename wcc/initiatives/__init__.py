"""Initiatives: members register, tell and track what they do for the union."""
