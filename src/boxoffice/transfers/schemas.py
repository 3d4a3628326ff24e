"""Transfer API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from boxoffice.transfers.domain import Transfer


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=254, description="The receiver's account email")


class TransferOut(BaseModel):
    transfer_id: str
    show_id: str
    to_account_id: str
    created_at: datetime

    @classmethod
    def of(cls, t: Transfer) -> TransferOut:
        return cls(transfer_id=t.id, show_id=t.show_id, to_account_id=t.to_account_id, created_at=t.created_at)
