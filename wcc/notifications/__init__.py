"""Notifications, e-mail, reminders and their background jobs."""
