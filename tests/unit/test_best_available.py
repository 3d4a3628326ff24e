"""Best available (inventory/best.py): front rows first, centre first, an
organiser's order when set, never a party split unasked."""

from __future__ import annotations

import pytest

from boxoffice.errors import SeatsNotTogether, SoldOut
from boxoffice.inventory.best import PlacedSeat, SeatPicker, best_seats


def section(*rows: str) -> list[PlacedSeat]:
    """Rows front to back, one character per seat from number 1: '.' free, 'x' taken."""
    seats, next_id = [], 1
    for r, layout in enumerate(rows):
        for n, mark in enumerate(layout, start=1):
            seats.append(PlacedSeat(next_id, chr(ord("A") + r), n, mark == "."))
            next_id += 1
    return seats


def labels(chosen: tuple[PlacedSeat, ...]) -> list[str]:
    return [s.label for s in chosen]


def test_front_row_centre_first() -> None:
    assert labels(best_seats(section("........", "........"), 2)) == ["A-4", "A-5"]
    assert labels(best_seats(section(".......", "......."), 3)) == ["A-3", "A-4", "A-5"]


def test_a_full_front_row_sends_the_party_back() -> None:
    assert labels(best_seats(section("xxxxxxxx", "........"), 4)) == ["B-3", "B-4", "B-5", "B-6"]


def test_fragmented_rows_keep_the_party_together_in_the_nearest_row_that_fits() -> None:
    # Row A has 6 free seats but never 3 together; row B has a block of 3 off-centre.
    seats = section(".x..x..x.", "xxxxx...x")
    assert labels(best_seats(seats, 3)) == ["B-6", "B-7", "B-8"]
    assert labels(best_seats(seats, 2)) == ["A-3", "A-4"]  # nearer the centre than


def test_a_block_that_would_leave_a_lone_seat_comes_after_one_that_does_not() -> None:
    # The centre pair of a row of four would strand.
    assert labels(best_seats(section("...."), 2)) == ["A-1", "A-2"]
    assert labels(best_seats(section("x....x.."), 2)) == ["A-4", "A-5"]  # not: A-2 alone


def test_off_centre_ties_go_to_the_lower_numbers() -> None:
    assert labels(best_seats(section("..xx.."), 2)) == ["A-1", "A-2"]


def test_no_adjacent_block_is_a_clear_refusal_not_a_split() -> None:
    with pytest.raises(SeatsNotTogether) as refused:
        best_seats(section(".x.x.", "x.x.x"), 2)
    assert refused.value.details == {"available": 5, "largest_block": 1}


def test_fewer_free_seats_than_asked_is_sold_out() -> None:
    with pytest.raises(SoldOut) as refused:
        best_seats(section("x.x", "xxx"), 2)
    assert refused.value.details == {"available": 1}


def test_numbers_must_be_consecutive_to_be_adjacent() -> None:
    # Seats 1, 2 and 5, 6 exist (an aisle where 3 and 4 would be).
    seats = [PlacedSeat(1, "A", 1), PlacedSeat(2, "A", 2), PlacedSeat(3, "A", 5), PlacedSeat(4, "A", 6)]
    with pytest.raises(SeatsNotTogether):
        best_seats(seats, 3)


def test_organiser_order_wins_over_the_default() -> None:
    seats = [PlacedSeat(s.id, s.row_label, s.number, s.free, rank=100 - s.id)
             for s in section("....", "....")]  # fmt: skip
    assert labels(best_seats(seats, 2)) == ["B-3", "B-4"]  # the back row's right end ranks best


def test_unranked_seats_come_after_ranked_ones() -> None:
    seats = section("....", "....")
    seats = [PlacedSeat(s.id, s.row_label, s.number, s.free, rank=1 if s.row_label == "B" else None)
             for s in seats]  # fmt: skip
    assert labels(best_seats(seats, 2))[0].startswith("B")


def test_a_picker_never_gives_a_seat_twice() -> None:
    picker = SeatPicker(section("......", "......"))
    chosen = [picker.pick(2) for _ in range(6)]
    ids = [s.id for block in chosen for s in block]
    assert len(ids) == len(set(ids)) == 12
    with pytest.raises(SoldOut):
        picker.pick(1)


def test_a_picker_knows_free_and_unknown_seats() -> None:
    picker = SeatPicker(section(".x."))
    assert picker.free([1, 3]) and not picker.free([1, 2]) and not picker.free([9])
    assert picker.known([1, 9]) == [9]
    picker.take([1])
    assert not picker.free([1])
    assert labels(picker.pick(1)) == ["A-3"]
