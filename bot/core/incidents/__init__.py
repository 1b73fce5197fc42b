"""Incidents, escalation and tickets: every occurrence remembered, one ticket per recurring code."""
