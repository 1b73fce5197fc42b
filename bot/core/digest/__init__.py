"""The weekly digest: what hurt the team this week, computed in SQL, rendered for Slack and terminals."""
