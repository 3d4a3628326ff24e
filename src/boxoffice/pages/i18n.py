"""Languages: English (the msgids) and Brazilian Portuguese (locales/pt_BR).

The language is the `lang` cookie (set by the switch in the footer), else the
best match of the browser's Accept-Language, else English. Catalogs are read
from the .po files when the app starts (Babel), so nothing is compiled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from babel import Locale, dates, numbers
from babel.messages.pofile import read_po

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = {"en": "English", "pt-BR": "Português (Brasil)"}
DEFAULT = "en"
LANG_COOKIE = "lang"


def load_catalogs() -> dict[str, dict[str, str]]:
    catalogs: dict[str, dict[str, str]] = {"en": {}}
    with (LOCALES / "pt_BR" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale="pt_BR")
    catalogs["pt-BR"] = {m.id: m.string for m in catalog if m.id and m.string and isinstance(m.id, str)}
    return catalogs


def choose(cookie: str | None, accept_language: str) -> str:
    if cookie in LANGUAGES:
        return cookie
    wanted = []
    for part in accept_language.split(","):
        tag, _, quality = part.strip().partition(";q=")
        try:
            wanted.append((float(quality or 1), tag.strip()))
        except ValueError:
            continue
    for _, tag in sorted(wanted, key=lambda w: -w[0]):
        if tag.lower().startswith("pt"):
            return "pt-BR"
        if tag.lower().startswith("en"):
            return "en"
    return DEFAULT


@dataclass(frozen=True)
class Language:
    code: str
    messages: dict[str, str]

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.code.replace("-", "_"))

    def gettext(self, text: str) -> str:
        return self.messages.get(text, text)

    def money(self, cents: int, currency: str) -> str:
        return numbers.format_currency(cents / 100, currency, locale=self.locale)

    def when(self, moment: datetime) -> str:
        """Date and time of day, in UTC (the zone the organiser entered them in)."""
        utc = moment.astimezone(UTC)
        day = dates.format_date(utc, "medium", locale=self.locale)
        return f"{day}, {dates.format_time(utc, 'short', tzinfo=UTC, locale=self.locale)} UTC"

    def helpers(self) -> dict[str, Callable[..., str] | str]:
        return {"_": self.gettext, "money": self.money, "when": self.when, "lang": self.code}
