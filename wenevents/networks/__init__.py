"""Wildlife enforcement networks and their focal points."""
