"""Scores, attempt progress with milestones, and finishing, through the SDK."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kraty_admin import KratyServerError
from kraty_admin.testing import KratyLocal


def test_scores_keep_the_best_and_rank(kraty: KratyLocal) -> None:
    boards = kraty.client.leaderboards
    boards.submit_score("alice", "weekly_race_board", 120)  # player first, board second
    boards.submit_score("bob", "weekly_race_board", 300)

    result = boards.submit_score("alice", "weekly_race_board", 80, idempotency_key="s-1")
    replay = boards.submit_score("alice", "weekly_race_board", 80, idempotency_key="s-1")

    assert result == {"leaderboardId": "weekly_race_board", "score": 120, "rank": 2}
    assert replay == result


@pytest.mark.parametrize(
    ("board", "code"), [("event_points_board", "score_not_supported"), ("nope", "not_found")]
)
def test_refused_scores(kraty: KratyLocal, board: str, code: str) -> None:
    with pytest.raises(KratyServerError) as caught:
        kraty.client.leaderboards.submit_score("alice", board, 1)

    assert caught.value.code == code


def test_progress_fires_milestones_then_finish_completes(kraty: KratyLocal) -> None:
    events = kraty.client.events
    first = events.report_progress("p1", "weekly_race", "run-1", "increment", metric_value=150)
    second = events.progress(
        "p1", "weekly_race", "run-1", "set", metric_value=600, metrics={"laps": 3}
    )
    done = events.finish("p1", "weekly_race", "run-1")

    assert [m["key"] for m in first["milestonesFired"]] == ["bronze"]
    assert [m["key"] for m in second["milestonesFired"]] == ["silver"]
    grant = second["milestonesFired"][0]["grants"][0]
    claimed = kraty.client.grants.ack("p1", grant["id"])
    assert claimed["status"] == "claimed"
    assert done["outcome"] == "completed"
    attempt = done["attempt"]
    assert (attempt["id"], attempt["eventId"], attempt["status"]) == (
        "run-1",
        "weekly_race",
        "completed",
    )
    assert (attempt["score"], attempt["metrics"], attempt["metricsRaw"]) == (
        600,
        {"laps": 3},
        {"laps": 3},
    )
    assert first["attempt"]["status"] == "in_progress"
    assert first["attempt"]["completedAt"] is None
    assert attempt["completedAt"] is not None
    assert attempt["playerId"] == kraty.client.players.get("p1")["player"]["id"]


def test_finish_after_the_window_is_expired(kraty: KratyLocal) -> None:
    kraty.client.events.report_progress("p1", "weekly_race", "run-1", "set", metric_value=1)
    kraty.clock.advance(timedelta(days=365 * 80))

    assert kraty.client.events.finish("p1", "weekly_race", "run-1")["outcome"] == "expired"
    with pytest.raises(KratyServerError) as caught:
        kraty.client.events.report_progress("p1", "weekly_race", "run-2", "set", metric_value=1)
    assert caught.value.is_conflict
