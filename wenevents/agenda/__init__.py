"""The agenda of a meeting: sessions, their items, and the public schedule."""
