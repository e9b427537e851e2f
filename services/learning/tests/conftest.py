"""Pytest fixtures of the learning tests; they are defined in learning_testkit.py.

Tests import helpers from ``learning_testkit`` rather than from ``conftest``,
because every package's ``conftest`` module has the same name and the first
one imported would win when the whole repository runs in one session.
"""

from learning_testkit import clock, learning, signing_key, token_for

__all__ = ["clock", "learning", "signing_key", "token_for"]
