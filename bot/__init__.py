"""The chat-ops application: CLI, Slack, incidents, digest."""
