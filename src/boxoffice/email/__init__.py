"""Email: SMTP sending, the local mail catcher, and the fan's mails (PDF tickets, .ics).

Mails are never sent from a request: they are outbox messages (boxoffice.outbox)
that the outbox worker hands to EmailDeliverer (service.py).
"""
