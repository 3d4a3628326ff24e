"""Account API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from boxoffice.accounts.domain import Account


class RegisterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: EmailStr = Field(max_length=254)
    password: str = Field(min_length=1, max_length=256)
    name: str = Field(min_length=1, max_length=120)
    language: Literal["en", "pt-BR"] | None = Field(
        default=None, description="Of the mail we send; unset = the lang cookie or Accept-Language"
    )


class LanguageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    language: Literal["en", "pt-BR"]


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=256)


class AccountOut(BaseModel):
    id: str
    email: str
    name: str
    role: str
    created_at: datetime
    language: str

    @classmethod
    def of(cls, account: Account) -> AccountOut:
        return cls(
            id=account.id,
            email=account.email,
            name=account.name,
            role=account.role.value,
            created_at=account.created_at,
            language=account.language,
        )


REGISTERED = (
    "Thanks. If this email is new, your account is ready: log in. "
    "If it already has an account, its owner will hear from us by email."
)


class RegisteredOut(BaseModel):
    """The same answer whether or not the email already has an account."""

    status: Literal["accepted"] = "accepted"
    message: str = REGISTERED


class LoginOut(BaseModel):
    token: str = Field(description="Send as `Authorization: Bearer <token>`.")
    csrf_token: str = Field(description="Send as X-CSRF-Token when authenticating by cookie.")
    account: AccountOut
