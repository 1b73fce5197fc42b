"""Incidents, escalation and tickets: every sighting remembered, one ticket per recurring code."""
