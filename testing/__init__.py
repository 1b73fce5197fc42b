"""Test support shared by tests/ and bench/: local servers that speak Slack's and the ticket
backends' APIs, scratch databases, the CLI as a process, and factories for model rows."""
