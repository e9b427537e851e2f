"""Credentials, captchas, login throttling and access tokens."""
