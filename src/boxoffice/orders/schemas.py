"""Order and ticket API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from boxoffice.orders.domain import Order, Ticket
from boxoffice.orders.qr import qr_data_uri
from boxoffice.payments.schemas import PaymentOut


class FakePayment(BaseModel):
    """Test mode: the built-in fake provider answers as told."""

    model_config = ConfigDict(extra="forbid", title="FakePayment")
    method: Literal["fake"]
    outcome: Literal["approve", "decline", "timeout"] = "approve"


class PixPayment(BaseModel):
    """Pix: answers 202 with the QR code; the order turns paid by the provider's webhook."""

    model_config = ConfigDict(extra="forbid", title="PixPayment")
    method: Literal["pix"]


# One member per payment method, told apart by `method` (a new method adds its member here).
Payment = Annotated[FakePayment | PixPayment, Field(discriminator="method")]


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hold_id: str = Field(min_length=1, max_length=64)
    payment: Payment
    voucher: str | None = Field(default=None, max_length=64, description="A discount voucher's code")


class CheckInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=64, description="The static code, or the rotating BX1.<code>.<otp>")


class TicketOut(BaseModel):
    code: str
    show_id: str
    show: str
    section_id: str
    section: str
    seat: str | None
    price_cents: int
    issued_at: datetime
    checked_in_at: datetime | None
    status: str = "valid"  # valid | listed | void | refunded (tickets/domain.py)

    @classmethod
    def of(cls, t: Ticket) -> TicketOut:
        return cls(
            code=t.code, show_id=t.show_id, show=t.show_name, section_id=t.section_id,
            section=t.section_name, seat=t.seat_label, price_cents=t.price_cents,
            issued_at=t.issued_at, checked_in_at=t.checked_in_at, status=t.status,
        )  # fmt: skip


class TicketDetailOut(TicketOut):
    qr_svg_data_uri: str

    @classmethod
    def of(cls, t: Ticket) -> TicketDetailOut:
        return cls(**TicketOut.of(t).model_dump(), qr_svg_data_uri=qr_data_uri(t.code))


class OrderOut(BaseModel):
    order_id: str
    status: str
    hold_id: str
    show_id: str
    amount_cents: int
    currency: str
    failure_reason: str | None
    refunded_cents: int = 0
    created_at: datetime
    tickets: list[TicketOut]
    payment: PaymentOut | None = None  # an asynchronous (Pix) payment: how to pay, and its state

    @classmethod
    def of(cls, o: Order) -> OrderOut:
        return cls(
            order_id=o.id, status=o.status.value, hold_id=o.hold_id, show_id=o.show_id,
            amount_cents=o.amount_cents, currency=o.currency, failure_reason=o.failure_reason,
            refunded_cents=o.refunded_cents,
            created_at=o.created_at, tickets=[TicketOut.of(t) for t in o.tickets],
            payment=PaymentOut.of(o.payment) if o.payment is not None else None,
        )  # fmt: skip
