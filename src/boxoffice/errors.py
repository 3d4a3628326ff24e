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


class WebhookRejected(NotAuthenticated):
    code = "webhook_rejected"
    default_message = "The webhook's signature is missing, wrong or too old."


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


class PaymentPending(Conflict):
    code = "payment_pending"
    default_message = "A payment for this hold is waiting for confirmation; pay it or let it expire."


class AlreadyCheckedIn(Conflict):
    code = "already_used"
    default_message = "This ticket has already been used."


class CapacityBelowSold(Conflict):
    code = "capacity_below_sold"
    default_message = "Capacity cannot go below the tickets already sold or held."


class IdempotencyMismatch(DomainError):
    code = "idempotency_key_reused"
    default_message = "This Idempotency-Key was already used for a different request."


class LimitExceeded(Conflict):
    """A rule, not a rate: retrying changes nothing until the fan releases a
    hold. So a 409 without Retry-After, never a 429 clients would retry."""

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


class PresaleCodeRequired(Forbidden):
    code = "presale_code_required"
    default_message = "This show is in its presale: enter your presale code first."


class PresaleCodeInvalid(NotFound):
    code = "presale_code_invalid"
    default_message = "This code is not a presale code of this show."


class PresaleCodeNotYours(Forbidden):
    code = "presale_code_not_yours"
    default_message = "This presale code belongs to another account."


class PresaleCodeUsed(Conflict):
    code = "presale_code_used"
    default_message = "This presale code has already been used."


class PresaleClosed(Conflict):
    code = "presale_closed"
    default_message = "This is not the time for that: see the presale's dates."


# -- after the sale (refunds, transfers, resale, waiting list, check-in) ------


class NotAllowed(Conflict):
    """The organiser's rules for this show do not allow it (now)."""

    code = "not_allowed"
    default_message = "The organiser does not allow this for this show."


class TicketNotValid(Conflict):
    code = "ticket_not_valid"
    default_message = "This ticket is not valid: it was transferred, resold, refunded or is listed for resale."


class NothingToRefund(Conflict):
    code = "nothing_to_refund"
    default_message = "Nothing in this order can be refunded."


class ShowCancelled(Conflict):
    code = "show_cancelled"
    default_message = "This show was cancelled."


class ListingUnavailable(Conflict):
    code = "listing_unavailable"
    default_message = "This resale ticket is no longer available."


class CodeExpired(Conflict):
    code = "code_expired"
    default_message = "This ticket code has expired: ask the fan to show the live code on their phone."
