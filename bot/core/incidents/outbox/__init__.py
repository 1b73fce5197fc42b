"""The one durable outbox of calls to ticket backends: `queue` writes them, `worker` makes them."""
