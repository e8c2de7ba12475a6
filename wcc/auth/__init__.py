"""Users, sign-in, sessions and personal API tokens."""
