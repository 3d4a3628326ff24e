"""/api/v1/shows/{id}/after-sale (read) and its organiser edit."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from boxoffice.rules.schemas import RulesOut, RulesPatch
from boxoffice.web.deps import ContainerDep, CurrentOrganiser

router = APIRouter(prefix="/api/v1", tags=["after the sale"])
admin = APIRouter(prefix="/api/v1/admin", tags=["organiser"])


@router.get("/shows/{show_id}/after-sale", response_model=RulesOut)
async def get_rules(show_id: str, container: ContainerDep) -> RulesOut:
    return RulesOut(**asdict(await container.rules.get(show_id)))


@admin.patch("/shows/{show_id}/after-sale", response_model=RulesOut)
async def change_rules(show_id: str, body: RulesPatch, organiser: CurrentOrganiser, container: ContainerDep) -> RulesOut:
    return RulesOut(**asdict(await container.rules.change(organiser, show_id, body.changes())))
