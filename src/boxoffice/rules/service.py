"""Reading and changing a show's after-sale rules (organisers change them)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from boxoffice.accounts.domain import Account
from boxoffice.audit.domain import Action, AuditEvent, Entity
from boxoffice.clock import Clock
from boxoffice.errors import NotFound
from boxoffice.rules.domain import AfterSaleRules
from boxoffice.storage.uow import UnitOfWorkFactory


class RulesService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def get(self, show_id: str) -> AfterSaleRules:
        async with self._uow() as uow:
            if await uow.shows.get(show_id) is None:
                raise NotFound(f"Show {show_id} does not exist.")
            return await uow.rules.get(show_id)

    async def change(self, organiser: Account, show_id: str, changes: dict[str, Any]) -> AfterSaleRules:
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            if await uow.shows.get(show_id) is None:
                raise NotFound(f"Show {show_id} does not exist.")
            rules = (await uow.rules.get(show_id)).changed(changes)
            await uow.rules.put(rules)
            uow.record(AuditEvent(at=now, entity=Entity.SHOW, entity_id=show_id, action=Action.RULES,
                                  show_id=show_id, account_id=organiser.id,
                                  detail={k: v for k, v in asdict(rules).items() if k in changes}))  # fmt: skip
            await uow.commit()
        return rules
