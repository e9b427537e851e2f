"""Assessment service: question banks and course tests."""
