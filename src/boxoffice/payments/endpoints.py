"""The provider's webhook: /api/v1/payments/pix/webhook (no session: the
HMAC signature in X-Pix-Signature is the authentication)."""

from __future__ import annotations

from fastapi import APIRouter, Header, Request

from boxoffice.payments.schemas import WebhookOut
from boxoffice.payments.signing import HEADER
from boxoffice.web.deps import ContainerDep

router = APIRouter(prefix="/api/v1/payments", tags=["payments"])


@router.post(
    "/pix/webhook", response_model=WebhookOut,
    responses={401: {"description": "signature missing, wrong or older than the tolerance"}},
)  # fmt: skip
async def pix_webhook(
    request: Request,
    container: ContainerDep,
    signature: str | None = Header(default=None, alias=HEADER,
                                   description="t=<unix seconds>,v1=<hex HMAC-SHA256 of 't.body'>"),
) -> WebhookOut:  # fmt: skip
    """Applies the provider's news about a charge: paid, declined, cancelled or
    refunded. Idempotent: a duplicate event is answered and changes nothing."""
    outcome = await container.payments.webhook(await request.body(), signature)
    return WebhookOut(outcome=outcome)
