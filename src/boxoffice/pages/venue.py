"""Drawing a show's venue: the stadium overview (sections as blocks around the
stage, coloured by availability) and a section's seat map geometry.

Pure functions returning numbers for the SVG templates: nothing here is
inline style (the Content-Security-Policy allows none), only coordinates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from boxoffice.inventory.domain import Availability, Seat, SectionKind

PLAN_WIDTH, PLAN_HEIGHT = 400, 296
STAGE = (140, 14, 120, 30)  # x, y, width, height
CENTRE = (200, 44)
STRETCH = 1.6  # the bowl is taller than wide on the plan: rings are ellipses  # the stage's front: rings of seated blocks face it
SEAT_PITCH = 38  # CSS px between seat centres at zoom 1: a 32 px target each
SEAT_RADIUS = 16
LABEL_GUTTER = 44  # row labels live here, clear of the first seat
STAGE_BAND = 70  # the stage marker above the first row


@dataclass(frozen=True, slots=True)
class Block:
    section_id: str
    name: str
    path: str
    label_x: float
    label_y: float
    level: str  # avail-high | avail-mid | avail-low | avail-none
    available: int


def level(a: Availability) -> str:
    if a.available <= 0:
        return "avail-none"
    share = a.available / max(a.capacity, 1)
    return "avail-high" if share > 0.5 else "avail-mid" if share > 0.15 else "avail-low"


def plan(sections: Sequence[Availability]) -> list[Block]:
    """General admission fills the floor in front of the stage (side by side);
    numbered sections are ring segments around it, inner ring first."""
    blocks: list[Block] = []
    floor = [a for a in sections if a.kind is SectionKind.GA]
    seated = [a for a in sections if a.kind is not SectionKind.GA]
    if floor:
        x0, y0, width, height = 130, 58, 140, 90
        step = width / len(floor)
        for i, a in enumerate(floor):
            x = x0 + i * step
            path = f"M{x + 2:.1f} {y0}h{step - 4:.1f}v{height}h{-(step - 4):.1f}z"
            blocks.append(Block(a.section_id, a.name, path, x + step / 2, y0 + height / 2, level(a), a.available))
    per_ring = 10
    for ring, start in enumerate(range(0, len(seated), per_ring)):
        members = seated[start : start + per_ring]
        inner, outer = 112 + ring * 40, 150 + ring * 40
        first, last = 4.0, 176.0  # degrees below the stage's front, left to right
        span = (last - first) / len(members)
        for i, a in enumerate(members):
            a0, a1 = first + i * span + 1.2, first + (i + 1) * span - 1.2
            blocks.append(_sector(a, inner, outer, a0, a1))
    return blocks


def _sector(a: Availability, inner: float, outer: float, a0: float, a1: float) -> Block:
    cx, cy = CENTRE

    def point(radius: float, degrees: float) -> tuple[float, float]:
        t = math.radians(180 - degrees)
        return cx + radius * 1.25 * math.cos(t), cy + radius * STRETCH * math.sin(t)

    steps = 16  # each curved side as a polyline: exact enough, and no arc-flag ambiguity
    outside = [point(outer, a0 + (a1 - a0) * i / steps) for i in range(steps + 1)]
    inside = [point(inner, a1 - (a1 - a0) * i / steps) for i in range(steps + 1)]
    path = "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in outside + inside) + "Z"
    lx, ly = point((inner + outer) / 2, (a0 + a1) / 2)
    return Block(a.section_id, a.name, path, lx, ly, level(a), a.available)


@dataclass(frozen=True, slots=True)
class SeatSpot:
    seat: Seat
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class SeatLayout:
    width: int
    height: int
    rows: list[tuple[str, float, list[SeatSpot]]]  # label, y, seats
    stage_x: float
    stage_width: float


def seat_layout(rows: dict[str, list[Seat]]) -> SeatLayout:
    """Seats at SEAT_PITCH apart (32 px targets at zoom 1, so a phone shows
    them full size and the fan pans), rows centred under the stage, each row's
    label in a gutter on both sides so it never covers a seat."""
    widest = max((len(seats) for seats in rows.values()), default=1)
    inner = widest * SEAT_PITCH
    width = inner + 2 * LABEL_GUTTER
    laid = []
    for r, (label, seats) in enumerate(rows.items()):
        y = STAGE_BAND + r * SEAT_PITCH + SEAT_PITCH / 2
        offset = LABEL_GUTTER + (widest - len(seats)) * SEAT_PITCH / 2
        spots = [SeatSpot(s, offset + i * SEAT_PITCH + SEAT_PITCH / 2, y) for i, s in enumerate(seats)]
        laid.append((label, y, spots))
    height = STAGE_BAND + len(rows) * SEAT_PITCH + 12
    stage_width = min(inner * 0.6, 360)
    return SeatLayout(width, int(height), laid, (width - stage_width) / 2, stage_width)
