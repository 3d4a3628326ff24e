"""Languages: English (the msgids) and Brazilian Portuguese (locales/pt_BR).

The language is the `lang` cookie (set by the switch in the footer), else the
best match of the browser's Accept-Language, else English. Catalogs are read
from the .po files when the app starts (Babel), so nothing is compiled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers
from babel.messages.pofile import read_po
from markupsafe import Markup, escape

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

    def when(self, moment: datetime, zone: str = "UTC") -> str:
        """Date and time of day in the venue's zone, which is named ("São Paulo
        time"): that is when the fan must be there. The pages add the fan's own
        time beside it in the browser when the fan's zone differs."""
        local = moment.astimezone(ZoneInfo(zone))
        day = dates.format_date(local, "EEE, d MMM y", locale=self.locale)
        clock = dates.format_time(local, "short", tzinfo=local.tzinfo, locale=self.locale)
        return f"{day}, {clock} ({self.zone_name(zone)})"

    def at(self, moment: datetime, zone: str = "UTC") -> Markup:
        """`when` as a <time> element that app.js completes with the fan's own time."""
        return Markup('<time datetime="{}" data-zone="{}">{}</time>').format(
            moment.isoformat(), zone, escape(self.when(moment, zone))
        )

    def zone_name(self, zone: str) -> str:
        if zone == "UTC":
            return "UTC"
        city = dates.get_timezone_location(ZoneInfo(zone), locale=self.locale, return_city=True)
        return self.gettext("{city} time").replace("{city}", city)

    def helpers(self) -> dict[str, Callable[..., str] | str]:
        return {"_": self.gettext, "money": self.money, "when": self.when, "lang": self.code,
                "zone_name": self.zone_name, "at": self.at}  # fmt: skip
