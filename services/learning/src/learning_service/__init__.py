"""Learning service: course catalog, chapter videos and server-checked watch progress."""
