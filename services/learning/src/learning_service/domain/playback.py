"""Rules that turn player heartbeats into watched time.

A heartbeat reports the playback position of one player session. The server
compares it with the previous heartbeat of the same session on the same chapter.
The span between the two positions counts as watched only when it could have
been played at an allowed speed in the wall-clock time that passed. Watched
spans are kept as a union of intervals, so watching a part twice counts once.
"""

from dataclasses import dataclass
from datetime import datetime

Interval = tuple[float, float]


@dataclass(frozen=True)
class PlaybackRules:
    """Limits applied to every heartbeat (see ``LearningSettings`` for their meaning)."""

    max_speed: float = 1.25
    max_gap_seconds: float = 90.0
    tolerance_seconds: float = 2.0
    completion_slack_seconds: float = 1.0


@dataclass(frozen=True)
class PreviousBeat:
    """Position and arrival time of the last heartbeat of the same session and chapter."""

    position_seconds: float
    received_at: datetime


def credit_step(
    previous: PreviousBeat | None, position: float, received_at: datetime, rules: PlaybackRules
) -> Interval | None:
    """Return the interval this heartbeat proves was played, or None if it proves nothing.

    Nothing counts for the first heartbeat of a session, a step backwards, a
    pause, or a gap longer than ``max_gap_seconds``. Nothing counts either for a
    step forward longer than ``max_speed`` allows in the elapsed wall-clock time.
    That covers a jump, fast playback and heartbeats sent faster than real time.
    """
    if previous is None:
        return None
    elapsed = (received_at - previous.received_at).total_seconds()
    advanced = position - previous.position_seconds
    if elapsed <= 0 or advanced <= 0 or elapsed > rules.max_gap_seconds:
        return None
    if advanced > elapsed * rules.max_speed + rules.tolerance_seconds:
        return None
    return (previous.position_seconds, position)


def merge_intervals(intervals: list[Interval], added: Interval, duration: float) -> list[Interval]:
    """Add ``added`` to a sorted union of intervals, clipped to ``[0, duration]``."""
    start, end = max(0.0, added[0]), min(float(duration), added[1])
    if end <= start:
        return list(intervals)
    merged: list[Interval] = []
    for low, high in sorted([*intervals, (start, end)]):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def watched_seconds(intervals: list[Interval]) -> float:
    return sum(high - low for low, high in intervals)


def is_fully_watched(watched: float, duration: int, rules: PlaybackRules) -> bool:
    return watched >= duration - rules.completion_slack_seconds


def percent(watched: float, duration: int, complete: bool) -> int:
    """Return whole percent watched; 100 only when the chapter or course is complete."""
    if complete:
        return 100
    if duration <= 0:
        return 0
    return min(99, int(watched * 100 // duration))
