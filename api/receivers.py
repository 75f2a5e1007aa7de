"""Domain events become webhook deliveries: see api/webhooks.py."""
