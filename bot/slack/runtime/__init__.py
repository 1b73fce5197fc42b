"""How the Slack front end holds up under load: requests kept before they are acknowledged
(intake), answered by workers of their own (answers), and everything owed to Slack delivered
from the one outbox by paced senders (sender), started and stopped together (runner)."""
