"""The fairness check: bots polling 50x and joining from many sessions gain
nothing, and admission follows the queue exactly, on both queue stores."""

from __future__ import annotations

import pytest

from boxoffice.waitingroom.fairness import check_fairness, ranks, spearman, z_score_of_mean_position
from boxoffice.waitingroom.store import QueueStore


async def test_bots_gain_nothing_and_admission_follows_the_queue(store: QueueStore) -> None:
    report = await check_fairness(store, fans=200, bot_share=0.15, seed=11)
    assert report.admitted == report.fans == 200
    assert report.bots > 10
    assert report.places_per_account == 1.0
    assert report.admission_rank_correlation == pytest.approx(1.0, abs=1e-12)
    assert report.polls_by_bots / report.bots > 20 * report.polls_by_humans / (report.fans - report.bots)
    # Under a uniformly random lottery the bots' mean position is within a few
    # standard deviations of the middle (|z| >= 5 happens once in ~3.5 million runs).
    assert abs(report.bots_z_score) < 5


def test_rank_helpers() -> None:
    assert ranks([10, 30, 20, 20]) == [1, 4, 2.5, 2.5]
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [40, 30, 20, 10]) == pytest.approx(-1.0)
    assert spearman([1, 2, 3, 4], [10, 30, 20, 40]) < 1.0
    # Bots all at the front of 100 places would be a glaring advantage.
    assert z_score_of_mean_position(5.5, 10, 100) < -5
    assert z_score_of_mean_position(50.5, 10, 100) == pytest.approx(0.0)
