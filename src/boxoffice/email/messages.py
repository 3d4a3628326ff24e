"""Compose each mail (subject, text, attachments) from plain facts; no I/O here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import dates

from boxoffice.email.ics import show_ics
from boxoffice.email.pdf import TicketCard, tickets_pdf
from boxoffice.accounts.domain import language_of
from boxoffice.email.texts import text
from boxoffice.inventory.domain import Show


@dataclass(frozen=True, slots=True)
class Envelope:
    """Who gets it, in which language, under which stable Message-ID."""

    to: str
    name: str
    language: str
    message_id: str
    sender: str
    date: datetime


def local_time(moment: datetime, zone: str, language: str) -> str:
    """The show's date and time in the venue's time zone, named, in the fan's language."""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz, zone = ZoneInfo("UTC"), "UTC"
    local = moment.astimezone(tz)
    locale = language_of(language).replace("-", "_")
    day = dates.format_date(local, "full", locale=locale)
    return f"{day}, {dates.format_time(local, 'short', tzinfo=tz, locale=locale)} ({zone})"


def compose(envelope: Envelope, subject: str, body: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = envelope.sender
    mail["To"] = envelope.to
    mail["Subject"] = subject
    mail["Message-ID"] = envelope.message_id
    mail["Date"] = format_datetime(envelope.date)
    mail["Auto-Submitted"] = "auto-generated"
    greeting = text(envelope.language, "hello", name=envelope.name or envelope.to)
    mail.set_content(f"{greeting}\n\n{body}\n\n{text(envelope.language, 'signature')}\n")
    return mail


def finish(mail: EmailMessage, envelope: Envelope) -> EmailMessage:
    """Headers set last: set_content and add_attachment move Content-* headers to a part."""
    del mail["Content-Language"]
    mail["Content-Language"] = language_of(envelope.language)
    return mail


def simple(envelope: Envelope, key: str, **values: object) -> EmailMessage:
    """A mail of one subject and one body from texts.py (`<key>.subject`, `<key>.body`)."""
    lang = envelope.language
    return compose(envelope, text(lang, f"{key}.subject", **values), text(lang, f"{key}.body", **values))


@dataclass(frozen=True, slots=True)
class OrderFacts:
    order_id: str
    show_id: str
    show: str
    venue: str
    starts_at: datetime
    timezone: str
    tickets: list[tuple[str, str | None, str]]  # (section, seat label or None, code)
    link: str


def order_confirmation(envelope: Envelope, facts: OrderFacts) -> EmailMessage:
    lang = envelope.language
    when = local_time(facts.starts_at, facts.timezone, lang)
    no_seat = text(lang, "order.no_seat")
    lines = "\n".join(
        text(lang, "order.ticket", section=section, seat=seat or no_seat, code=code)
        for section, seat, code in facts.tickets
    )
    mail = compose(
        envelope,
        text(lang, "order.subject", show=facts.show, order=facts.order_id),
        text(
            lang, "order.body", order=facts.order_id, show=facts.show, when=when,
            venue=facts.venue, tickets=lines, link=facts.link,
        ),
    )  # fmt: skip
    cards = [
        TicketCard(
            show=facts.show, when=when, venue=facts.venue, section=section, seat=seat or no_seat,
            holder=envelope.name or envelope.to, order=facts.order_id, code=code,
        )  # fmt: skip
        for section, seat, code in facts.tickets
    ]
    mail.add_attachment(
        tickets_pdf(cards, lang), maintype="application", subtype="pdf",
        filename=f"tickets-{facts.order_id}.pdf",
    )  # fmt: skip
    mail.add_attachment(
        show_ics(
            uid=f"{facts.order_id}@boxoffice", name=facts.show, venue=facts.venue,
            starts_at=facts.starts_at, stamp=envelope.date,
            description=f"{text(lang, 'pdf.order')} {facts.order_id} ({facts.timezone})",
        ),
        maintype="text", subtype="calendar", filename=f"{facts.show_id}.ics",
        params={"method": "PUBLISH"},
    )  # fmt: skip
    return mail


def presale_code(envelope: Envelope, show: Show, payload: dict[str, object], link: str) -> EmailMessage:
    """The presale code mail; the window, when the payload gives it, in the venue's zone."""
    lang = envelope.language
    zone = show.timezone
    window = ""
    starts, ends = payload.get("starts_at"), payload.get("ends_at")
    if starts and ends:
        window = text(
            lang, "presale.window",
            starts=local_time(_moment(starts), zone, lang), ends=local_time(_moment(ends), zone, lang),
        )  # fmt: skip
    name = show.name
    return compose(
        envelope,
        text(lang, "presale.subject", show=name),
        text(lang, "presale.body", show=name, code=payload["code"], window=window, link=link),
    )


def _moment(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
