"""The server paces polling: rarely while the wait is long, often near the front."""

from __future__ import annotations

import pytest

from boxoffice.waitingroom.domain import PlaceStatus, QueueStatus, poll_after_seconds


@pytest.mark.parametrize(
    ("status", "wait", "expected"),
    [
        (PlaceStatus.WAITING, None, 15),  # before the lottery is drawn
        (PlaceStatus.WAITING, 5, 2),
        (PlaceStatus.WAITING, 120, 12),
        (PlaceStatus.WAITING, 36_000, 30),
        (PlaceStatus.ADMITTED, 0, 30),
    ],
)
def test_poll_after(status: PlaceStatus, wait: int | None, expected: int) -> None:
    assert poll_after_seconds(QueueStatus(status, 1, 0, wait)) == expected
