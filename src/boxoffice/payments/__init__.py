"""Asynchronous payments (Pix-style): the provider client, signed webhooks,
pending orders and reconciliation. The fake provider the demo and the tests
start is `provider/` (its own process: `boxoffice pix-provider`)."""
