"""Bank simulator for development: hosted payment page, signed notifications, query API, switches."""
