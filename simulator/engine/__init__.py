"""Running a session: turns, the client's replies, and the end."""
