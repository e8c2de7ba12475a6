"""The audit trail: who did what to which object, when, with before/after values."""
