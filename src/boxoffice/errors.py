"""Typed domain errors. They carry no HTTP knowledge; web/errors.py maps them.

Every error has a stable machine `code` and a human `message`; `details`
holds extra facts a client may act on (an order id, seconds to wait).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "error"
    default_message = "The request could not be completed."

    def __init__(self, message: str | None = None, **details: Any) -> None:
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)


class InvalidRequest(DomainError):
    code = "invalid_request"
    default_message = "The request is not valid."


class NotAuthenticated(DomainError):
    code = "not_authenticated"
    default_message = "Log in first: the session is missing, expired or revoked."


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    default_message = "Email or password is wrong."


class CsrfFailed(DomainError):
    code = "csrf_failed"
    default_message = "The CSRF token is missing or wrong; reload the page and try again."


class Forbidden(DomainError):
    code = "forbidden"
    default_message = "You are not allowed to do this."


class NotFound(DomainError):
    code = "not_found"
    default_message = "Not found."


class Conflict(DomainError):
    code = "conflict"
    default_message = "The request conflicts with the current state."


class EmailTaken(Conflict):
    code = "email_taken"
    default_message = "An account with this email already exists."


class SaleNotOpen(Conflict):
    code = "sale_not_open"
    default_message = "Tickets for this show are not on sale right now."


class QueueNotOpen(Conflict):
    code = "queue_not_open"
    default_message = "The waiting room for this show is not open."


class SoldOut(Conflict):
    code = "sold_out"
    default_message = "Not enough tickets left in this section."


class SeatsUnavailable(Conflict):
    code = "seats_unavailable"
    default_message = "Some of these seats are already taken."


class SeatsNotTogether(Conflict):
    code = "seats_not_together"
    default_message = "Not enough adjacent seats are left in this section."


class HoldExpired(Conflict):
    code = "hold_expired"
    default_message = "This hold has expired; its tickets went back on sale."


class HoldNotActive(Conflict):
    code = "hold_not_active"
    default_message = "This hold was already released or paid."


class AlreadyPaid(Conflict):
    code = "already_paid"
    default_message = "This hold has already been paid."


class AlreadyCheckedIn(Conflict):
    code = "already_used"
    default_message = "This ticket has already been used."


class CapacityBelowSold(Conflict):
    code = "capacity_below_sold"
    default_message = "Capacity cannot go below the tickets already sold or held."


class IdempotencyMismatch(DomainError):
    code = "idempotency_key_reused"
    default_message = "This Idempotency-Key was already used for a different request."


class LimitExceeded(DomainError):
    code = "limit_exceeded"
    default_message = "This would take you over the ticket limit for this show."


class RateLimited(DomainError):
    code = "rate_limited"
    default_message = "Too many requests; wait a moment and try again."


class PaymentDeclined(DomainError):
    code = "payment_declined"
    default_message = "The payment was declined; your hold stays until it expires."


class PaymentTimeout(DomainError):
    code = "payment_timeout"
    default_message = "The payment provider did not answer in time; nothing was charged."


class Busy(DomainError):
    code = "busy"
    default_message = "The box office is busy; try again in a moment."
