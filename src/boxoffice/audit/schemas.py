"""Audit trail API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from boxoffice.audit.domain import AuditEvent


class AuditEventOut(BaseModel):
    at: datetime
    entity: str
    entity_id: str
    action: str
    show_id: str
    section_id: str | None
    account_id: str | None
    hold_id: str | None
    order_id: str | None
    quantity: int
    detail: dict[str, Any]

    @classmethod
    def of(cls, e: AuditEvent) -> AuditEventOut:
        return cls(
            at=e.at, entity=e.entity.value, entity_id=e.entity_id, action=e.action.value,
            show_id=e.show_id, section_id=e.section_id, account_id=e.account_id,
            hold_id=e.hold_id, order_id=e.order_id, quantity=e.quantity, detail=e.detail,
        )  # fmt: skip
