"""Organiser webhooks: HTTPS endpoints told about order.paid, order.refunded
and ticket.checked_in, with signed deliveries retried from the outbox."""
