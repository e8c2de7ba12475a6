"""The home page each role lands on, the admin index and the health check."""
