"""Asynchronous payment API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from boxoffice.orders.qr import qr_data_uri
from boxoffice.payments.domain import Payment


class PaymentOut(BaseModel):
    """How to pay a pending order: scan the QR or paste the code in a bank app
    before `deadline`; the order turns paid (or failed) by itself."""

    method: str
    status: str
    amount_cents: int
    currency: str
    deadline: datetime
    copy_paste: str
    qr_svg_data_uri: str
    pay_url: str | None

    @classmethod
    def of(cls, p: Payment) -> PaymentOut:
        return cls(
            method=p.method, status=p.status.value, amount_cents=p.amount_cents,
            currency=p.currency, deadline=p.deadline, copy_paste=p.copy_paste,
            qr_svg_data_uri=qr_data_uri(p.copy_paste) if p.copy_paste else "", pay_url=p.pay_url,
        )  # fmt: skip


class WebhookOut(BaseModel):
    received: bool = True
    outcome: str
