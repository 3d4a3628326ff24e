"""The audit trail: every state change of a hold, an order and a ticket."""
