"""Best available: which free seats a fan asking for "N together in this
section" gets. Pure rules, no framework.

"Best" is defined per section:
- by default, rows nearest the stage first (a section's rows in the order
  they were defined: the first row given is the front row); within a row,
  blocks that leave no lone free seat beside them (a single seat nobody
  asking for two could use), then the block whose middle is nearest the
  row's centre, then the lower seat numbers;
- or an organiser-set order: each seat's `rank` (1 = best); a block's score
  is the sum of its seats' ranks, ties broken as above. Seats without a rank
  come after every ranked seat.

Adjacent means consecutive seat numbers in one row, all free. The rule when
no row has N adjacent free seats: the party is never split unasked. The
request is refused (409 `seats_not_together`) with how many seats are free
and the largest adjacent block left, so the fan can ask for fewer or pick
seats on the map; with fewer than N free seats at all it is 409 `sold_out`.

Callers decide inside the section's lock (storage/locking.py), with the
seats' state read under it, so two fans are never given the same seat.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from boxoffice.errors import SeatsNotTogether, SoldOut

UNRANKED = 1 << 30  # after any seat an organiser ranked


@dataclass(frozen=True, slots=True)
class PlacedSeat:
    """A seat with its place in the section and whether it can be held now."""

    id: int
    row_label: str
    number: int
    free: bool = True
    rank: int | None = None

    @property
    def label(self) -> str:
        return f"{self.row_label}-{self.number}"


@dataclass(frozen=True, slots=True)
class _Row:
    index: int
    centre2: int  # twice the row's centre (first + last seat number): stays an integer
    seats: tuple[PlacedSeat, ...]  # by seat number


def rows_of(seats: Iterable[PlacedSeat]) -> list[_Row]:
    """The section's rows in the order their first seat appears (seat id order
    is the order the rows were defined: front row first)."""
    by_row: dict[str, list[PlacedSeat]] = {}
    for seat in sorted(seats, key=lambda s: s.id):
        by_row.setdefault(seat.row_label, []).append(seat)
    rows = []
    for index, row_seats in enumerate(by_row.values()):
        ordered = tuple(sorted(row_seats, key=lambda s: s.number))
        rows.append(_Row(index, ordered[0].number + ordered[-1].number, ordered))
    return rows


def _runs(row: _Row) -> Iterable[list[PlacedSeat]]:
    """The row's runs of free seats with consecutive numbers."""
    run: list[PlacedSeat] = []
    for seat in row.seats:
        if run and (not seat.free or seat.number != run[-1].number + 1):
            yield run
            run = []
        if seat.free:
            run.append(seat)
    if run:
        yield run


def _blocks(row: _Row, quantity: int) -> Iterable[tuple[tuple[PlacedSeat, ...], int]]:
    """Every block of `quantity` adjacent free seats in the row, with how many
    lone seats it would leave beside it (a single free seat nobody asking
    for two can use)."""
    for run in _runs(row):
        for start in range(len(run) - quantity + 1):
            left, right = start, len(run) - quantity - start
            yield tuple(run[start : start + quantity]), (left == 1) + (right == 1)


def _score(row: _Row, block: tuple[PlacedSeat, ...], lone: int) -> tuple[int, int, int, int, int]:
    ranked = sum(UNRANKED if s.rank is None else s.rank for s in block)
    off_centre = abs(block[0].number + block[-1].number - row.centre2)
    return ranked, row.index, lone, off_centre, block[0].number


def largest_block(rows: Sequence[_Row]) -> int:
    best = 0
    for row in rows:
        run, previous = 0, None
        for seat in row.seats:
            adjacent = previous is not None and seat.number == previous + 1
            run = (run + 1 if adjacent else 1) if seat.free else 0
            previous = seat.number if seat.free else None
            best = max(best, run)
    return best


def best_seats(seats: Iterable[PlacedSeat], quantity: int) -> tuple[PlacedSeat, ...]:
    """The best block of `quantity` adjacent free seats, or SoldOut /
    SeatsNotTogether (see the module's rule)."""
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    rows = rows_of(seats)
    free = sum(1 for row in rows for seat in row.seats if seat.free)
    if free < quantity:
        raise SoldOut(available=free)
    best: tuple[tuple[int, int, int, int, int], tuple[PlacedSeat, ...]] | None = None
    for row in rows:
        for block, lone in _blocks(row, quantity):
            score = _score(row, block, lone)
            if best is None or score < best[0]:
                best = (score, block)
    if best is None:
        raise SeatsNotTogether(
            f"No {quantity} adjacent seats are left in this section: ask for fewer "
            "or pick seats on the map.",
            available=free, largest_block=largest_block(rows),
        )  # fmt: skip
    return best[1]


class SeatPicker:
    """Best-available for several requests in a row (a batch, in arrival
    order): each pick is taken out before the next one is decided."""

    def __init__(self, seats: Iterable[PlacedSeat]) -> None:
        self._seats = {seat.id: seat for seat in seats}

    def pick(self, quantity: int) -> tuple[PlacedSeat, ...]:
        chosen = best_seats(self._seats.values(), quantity)
        self.take([seat.id for seat in chosen])
        return chosen

    def free(self, seat_ids: Iterable[int]) -> bool:
        """Whether every one of these seats is in the section and free."""
        return all((s := self._seats.get(i)) is not None and s.free for i in seat_ids)

    def known(self, seat_ids: Iterable[int]) -> list[int]:
        """Those of `seat_ids` that are not in the section."""
        return [i for i in seat_ids if i not in self._seats]

    def take(self, seat_ids: Iterable[int]) -> None:
        for i in seat_ids:
            seat = self._seats[i]
            self._seats[i] = PlacedSeat(seat.id, seat.row_label, seat.number, False, seat.rank)

    def seats(self, seat_ids: Iterable[int]) -> tuple[PlacedSeat, ...]:
        return tuple(self._seats[i] for i in seat_ids)
