"""Every text a person reads on the pages has a Brazilian Portuguese translation."""

from __future__ import annotations

import re
from pathlib import Path

from boxoffice.pages.base import MESSAGES
from boxoffice.pages.fan import FIELD_MESSAGES
from boxoffice.pages.organiser_forms import NEEDS
from boxoffice.pages.i18n import choose, load_catalogs

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "boxoffice" / "pages" / "templates"
MSGID = re.compile(r"""_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\)""")


def _msgids() -> set[str]:
    found = {m.group(1) or m.group(2) for p in TEMPLATES.rglob("*.html") for m in MSGID.finditer(p.read_text())}
    shown = set(MESSAGES.values()) | set(NEEDS.values()) | set(FIELD_MESSAGES.values())
    return found | shown | {"paid", "failed", "pending", "Pick", "Pay", "Tickets", "on_sale", "upcoming", "closed"}


def test_every_page_text_is_translated() -> None:
    portuguese = load_catalogs()["pt-BR"]
    missing = sorted(_msgids() - set(portuguese))
    assert missing == []
    same_in_both = {"Show", "Total", "Check-in", "Webhooks"}
    untranslated = sorted(m for m in _msgids() - same_in_both if portuguese[m].strip() in {"", m})
    assert untranslated == []


def test_language_from_cookie_then_browser_then_english() -> None:
    assert choose("pt-BR", "en-US") == "pt-BR"
    assert choose(None, "pt-BR,pt;q=0.9,en;q=0.8") == "pt-BR"
    assert choose(None, "en-GB,pt;q=0.5") == "en"
    assert choose(None, "fr-FR, de;q=0.5") == "en"
    assert choose("klingon", "pt") == "pt-BR"
    assert choose(None, "pt;q=abc, en;q=0.1") == "en"
