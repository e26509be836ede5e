"""Shared infrastructure: database, queue, errors, security, auth."""
