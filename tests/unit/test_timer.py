"""Unit tests for the pitch countdown (facilitator.domain.timer), driven by a fake clock."""

import dataclasses

import pytest

from facilitator.domain.errors import RuleError
from facilitator.domain.timer import (
    AMBER_MS,
    IDLE,
    MAX_MS,
    PAUSED,
    RED_MS,
    RUNNING,
    Timer,
)

T0 = 1_700_000_000_000  # an arbitrary epoch-millisecond "now"
SEC = 1_000
MIN = 60 * SEC


class FakeClock:
    """Epoch milliseconds that only move when told to."""

    def __init__(self, start: int = T0):
        self.now = start

    def advance(self, ms: int) -> int:
        self.now += ms
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def running(clock):
    """A 3-minute timer started at the clock's current time."""
    return Timer.ready(3 * MIN).start(clock.now)


# --- construction ---------------------------------------------------------------------------


def test_default_timer_is_idle_and_empty():
    t = Timer()
    assert (t.state, t.total_ms, t.remaining_ms, t.ends_at) == (IDLE, 0, 0, None)


def test_ready_sets_length_as_total_and_remaining():
    t = Timer.ready(5 * MIN)
    assert t.state == IDLE
    assert t.total_ms == 5 * MIN
    assert t.remaining_ms == 5 * MIN
    assert t.ends_at is None


def test_timer_is_immutable():
    t = Timer.ready(MIN)
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.state = RUNNING  # type: ignore[misc]


def test_operations_return_new_values_and_leave_original_untouched(clock):
    t = Timer.ready(MIN)
    started = t.start(clock.now)
    assert started is not t
    assert t == Timer.ready(MIN)


# --- remaining() ----------------------------------------------------------------------------


def test_remaining_while_idle_does_not_depend_on_now(clock):
    t = Timer.ready(2 * MIN)
    assert t.remaining(clock.now) == 2 * MIN
    assert t.remaining(clock.advance(10 * MIN)) == 2 * MIN


def test_start_sets_ends_at_and_clears_remaining_ms(clock):
    t = Timer.ready(3 * MIN).start(clock.now)
    assert t.state == RUNNING
    assert t.ends_at == T0 + 3 * MIN
    assert t.remaining_ms == 0
    assert t.total_ms == 3 * MIN


def test_remaining_counts_down_while_running(clock, running):
    assert running.remaining(clock.now) == 3 * MIN
    assert running.remaining(clock.advance(1)) == 3 * MIN - 1
    assert running.remaining(clock.advance(59_999)) == 2 * MIN
    assert running.remaining(clock.advance(2 * MIN)) == 0


def test_remaining_is_frozen_while_paused(clock, running):
    clock.advance(45 * SEC)
    paused = running.pause(clock.now)
    assert paused.state == PAUSED
    assert paused.ends_at is None
    assert paused.remaining_ms == 3 * MIN - 45 * SEC
    assert paused.remaining(clock.now) == 135 * SEC
    assert paused.remaining(clock.advance(3 * 3600 * SEC)) == 135 * SEC


# --- overrun --------------------------------------------------------------------------------


def test_overrun_gives_negative_remaining_and_overrun_phase(clock, running):
    clock.advance(3 * MIN + 7 * SEC)
    assert running.remaining(clock.now) == -7 * SEC
    assert running.phase(clock.now) == "overrun"


def test_running_timer_at_exactly_zero_is_overrun(clock, running):
    clock.advance(3 * MIN)
    assert running.remaining(clock.now) == 0
    assert running.phase(clock.now) == "overrun"


def test_running_timer_one_ms_before_zero_is_red(clock, running):
    clock.advance(3 * MIN - 1)
    assert running.remaining(clock.now) == 1
    assert running.phase(clock.now) == "red"


def test_pause_during_overrun_keeps_negative_remaining_and_overrun_phase(clock, running):
    clock.advance(3 * MIN + 5 * SEC)
    paused = running.pause(clock.now)
    assert paused.remaining_ms == -5 * SEC
    clock.advance(MIN)
    assert paused.remaining(clock.now) == -5 * SEC
    assert paused.phase(clock.now) == "overrun"


def test_resume_during_overrun_keeps_counting_below_zero(clock, running):
    clock.advance(3 * MIN + 5 * SEC)
    paused = running.pause(clock.now)
    clock.advance(MIN)
    resumed = paused.resume(clock.now)
    assert resumed.remaining(clock.now) == -5 * SEC
    assert resumed.remaining(clock.advance(SEC)) == -6 * SEC
    assert resumed.phase(clock.now) == "overrun"


def test_idle_timer_at_zero_is_red_not_overrun(clock):
    t = Timer.ready(0)
    assert t.remaining(clock.now) == 0
    assert t.phase(clock.now) == "red"


def test_idle_timer_after_shortening_to_zero_is_red_not_overrun(clock):
    t = Timer.ready(20 * SEC).adjust(-30 * SEC, clock.now)
    assert t.state == IDLE
    assert t.remaining(clock.now) == 0
    assert t.phase(clock.now) == "red"


def test_paused_timer_at_zero_is_overrun(clock):
    t = Timer.ready(10 * SEC).start(clock.now)
    paused = t.pause(clock.advance(10 * SEC))
    assert paused.remaining_ms == 0
    assert paused.phase(clock.now) == "overrun"


# --- phase thresholds -----------------------------------------------------------------------


def test_thresholds_are_the_documented_values():
    assert AMBER_MS == 30_000
    assert RED_MS == 10_000


@pytest.mark.parametrize(
    "left, expected",
    [
        (5 * MIN, "normal"),
        (30_001, "normal"),
        (30_000, "amber"),
        (29_999, "amber"),
        (10_001, "amber"),
        (10_000, "red"),
        (9_999, "red"),
        (1, "red"),
    ],
)
def test_phase_thresholds_while_running(clock, left, expected):
    t = Timer.ready(5 * MIN).start(clock.now)
    clock.advance(5 * MIN - left)
    assert t.remaining(clock.now) == left
    assert t.phase(clock.now) == expected


@pytest.mark.parametrize(
    "left, expected",
    [
        (30_001, "normal"),
        (30_000, "amber"),
        (10_001, "amber"),
        (10_000, "red"),
        (0, "red"),
    ],
)
def test_phase_thresholds_while_idle(clock, left, expected):
    assert Timer.ready(left).phase(clock.now) == expected


@pytest.mark.parametrize(
    "left, expected",
    [
        (30_001, "normal"),
        (30_000, "amber"),
        (10_001, "amber"),
        (10_000, "red"),
        (1, "red"),
        (0, "overrun"),
        (-1, "overrun"),
    ],
)
def test_phase_thresholds_while_paused(clock, left, expected):
    t = Timer.ready(MIN).start(clock.now)
    paused = t.pause(clock.advance(MIN - left))
    assert paused.remaining_ms == left
    assert paused.phase(clock.now) == expected


# --- start / pause / resume -----------------------------------------------------------------


def test_start_twice_is_refused(clock, running):
    with pytest.raises(RuleError) as exc:
        running.start(clock.advance(SEC))
    assert exc.value.code == "timer_running"


def test_pause_when_idle_is_refused(clock):
    with pytest.raises(RuleError) as exc:
        Timer.ready(MIN).pause(clock.now)
    assert exc.value.code == "timer_not_running"


def test_pause_when_already_paused_is_refused(clock, running):
    paused = running.pause(clock.advance(SEC))
    with pytest.raises(RuleError) as exc:
        paused.pause(clock.advance(SEC))
    assert exc.value.code == "timer_not_running"


def test_resume_when_idle_is_refused(clock):
    with pytest.raises(RuleError) as exc:
        Timer.ready(MIN).resume(clock.now)
    assert exc.value.code == "timer_not_paused"


def test_resume_when_running_is_refused(clock, running):
    with pytest.raises(RuleError) as exc:
        running.resume(clock.advance(SEC))
    assert exc.value.code == "timer_not_paused"


def test_pause_resume_keeps_remaining_exact_across_a_long_pause(clock, running):
    clock.advance(70 * SEC + 123)
    paused = running.pause(clock.now)
    left_at_pause = paused.remaining(clock.now)
    assert left_at_pause == 3 * MIN - 70 * SEC - 123

    clock.advance(6 * 3600 * SEC + 17)  # a very long coffee break
    resumed = paused.resume(clock.now)
    assert resumed.state == RUNNING
    assert resumed.remaining_ms == 0
    assert resumed.ends_at == clock.now + left_at_pause
    assert resumed.remaining(clock.now) == left_at_pause
    assert resumed.remaining(clock.advance(10 * SEC)) == left_at_pause - 10 * SEC
    assert resumed.total_ms == 3 * MIN


def test_several_pause_resume_cycles_lose_no_time(clock, running):
    t = running
    run_for = 0
    for pause_len in (1, 999, 60 * SEC, 2 * 3600 * SEC):
        clock.advance(10 * SEC)
        run_for += 10 * SEC
        t = t.pause(clock.now)
        clock.advance(pause_len)
        t = t.resume(clock.now)
    assert t.remaining(clock.now) == 3 * MIN - run_for


# --- adjust ---------------------------------------------------------------------------------


def test_add_30s_while_running_moves_end_and_total(clock, running):
    clock.advance(MIN)
    t = running.adjust(30 * SEC, clock.now)
    assert t.state == RUNNING
    assert t.ends_at == running.ends_at + 30 * SEC
    assert t.remaining(clock.now) == 2 * MIN + 30 * SEC
    assert t.total_ms == 3 * MIN + 30 * SEC


def test_take_30s_while_running_moves_end_and_total(clock, running):
    clock.advance(MIN)
    t = running.adjust(-30 * SEC, clock.now)
    assert t.state == RUNNING
    assert t.remaining(clock.now) == 90 * SEC
    assert t.total_ms == 3 * MIN - 30 * SEC


@pytest.mark.parametrize("delta", [30 * SEC, -30 * SEC])
def test_adjust_while_idle_changes_remaining_and_total(clock, delta):
    t = Timer.ready(2 * MIN).adjust(delta, clock.now)
    assert t.state == IDLE
    assert t.ends_at is None
    assert t.remaining_ms == 2 * MIN + delta
    assert t.total_ms == 2 * MIN + delta


@pytest.mark.parametrize("delta", [30 * SEC, -30 * SEC])
def test_adjust_while_paused_changes_remaining_and_total(clock, running, delta):
    paused = running.pause(clock.advance(MIN))
    t = paused.adjust(delta, clock.advance(5 * MIN))
    assert t.state == PAUSED
    assert t.ends_at is None
    assert t.remaining(clock.now) == 2 * MIN + delta
    assert t.total_ms == 3 * MIN + delta


def test_take_30s_never_goes_past_zero_while_running(clock, running):
    clock.advance(3 * MIN - 12 * SEC)
    t = running.adjust(-30 * SEC, clock.now)
    assert t.remaining(clock.now) == 0
    assert t.ends_at == clock.now
    # only the 12 s that were left are taken off the bar as well
    assert t.total_ms == 3 * MIN - 12 * SEC


def test_take_30s_never_goes_past_zero_while_paused(clock, running):
    paused = running.pause(clock.advance(3 * MIN - 12 * SEC))
    t = paused.adjust(-30 * SEC, clock.now)
    assert t.remaining_ms == 0
    assert t.total_ms == 3 * MIN - 12 * SEC


def test_take_30s_never_goes_past_zero_while_idle(clock):
    t = Timer.ready(12 * SEC).adjust(-30 * SEC, clock.now)
    assert t.remaining_ms == 0
    assert t.total_ms == 0


def test_total_ms_never_goes_negative(clock):
    # total smaller than time left (constructed directly): total is clamped at zero
    t = Timer(IDLE, 5 * SEC, 20 * SEC, None).adjust(-30 * SEC, clock.now)
    assert t.remaining_ms == 0
    assert t.total_ms == 0


@pytest.mark.parametrize("over_by", [0, 1, 45 * SEC])
def test_take_30s_refused_once_overrun_while_running(clock, running, over_by):
    clock.advance(3 * MIN + over_by)
    with pytest.raises(RuleError) as exc:
        running.adjust(-30 * SEC, clock.now)
    assert exc.value.code == "timer_overrun"


def test_take_30s_refused_once_overrun_while_paused(clock, running):
    paused = running.pause(clock.advance(3 * MIN + 5 * SEC))
    with pytest.raises(RuleError) as exc:
        paused.adjust(-30 * SEC, clock.now)
    assert exc.value.code == "timer_overrun"


def test_take_30s_refused_on_idle_timer_at_zero(clock):
    with pytest.raises(RuleError) as exc:
        Timer.ready(0).adjust(-30 * SEC, clock.now)
    assert exc.value.code == "timer_overrun"


def test_second_take_30s_after_clamping_to_zero_is_refused(clock, running):
    clock.advance(3 * MIN - 12 * SEC)
    t = running.adjust(-30 * SEC, clock.now)
    with pytest.raises(RuleError) as exc:
        t.adjust(-30 * SEC, clock.now)
    assert exc.value.code == "timer_overrun"


def test_add_30s_during_overrun_brings_time_back(clock, running):
    clock.advance(3 * MIN + 10 * SEC)
    t = running.adjust(30 * SEC, clock.now)
    assert t.remaining(clock.now) == 20 * SEC
    assert t.phase(clock.now) == "amber"
    assert t.total_ms == 3 * MIN + 30 * SEC


def test_adjust_up_to_exactly_max_is_allowed(clock):
    t = Timer.ready(MAX_MS - 30 * SEC).adjust(30 * SEC, clock.now)
    assert t.remaining_ms == MAX_MS
    assert t.total_ms == MAX_MS


def test_adjust_beyond_max_is_refused_while_idle(clock):
    t = Timer.ready(MAX_MS - 29 * SEC)
    with pytest.raises(RuleError) as exc:
        t.adjust(30 * SEC, clock.now)
    assert exc.value.code == "timer_too_long"


def test_adjust_beyond_max_is_refused_while_running(clock):
    t = Timer.ready(MAX_MS).start(clock.now)
    with pytest.raises(RuleError) as exc:
        t.adjust(30 * SEC, clock.now)
    assert exc.value.code == "timer_too_long"
    # once some time has run off, the same +30 s fits again
    clock.advance(30 * SEC)
    assert t.adjust(30 * SEC, clock.now).remaining(clock.now) == MAX_MS


def test_max_is_four_hours():
    assert MAX_MS == 4 * 3600 * 1000


def test_total_ms_follows_a_sequence_of_adjustments(clock, running):
    t = running
    for delta in (30 * SEC, 30 * SEC, -30 * SEC, 30 * SEC):
        t = t.adjust(delta, clock.advance(SEC))
    assert t.total_ms == 3 * MIN + 60 * SEC
    assert t.remaining(clock.now) == 3 * MIN + 60 * SEC - 4 * SEC


# --- reset ----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [IDLE, RUNNING, PAUSED])
def test_reset_returns_a_fresh_idle_timer(clock, state):
    t = Timer.ready(3 * MIN).adjust(30 * SEC, clock.now)
    if state in (RUNNING, PAUSED):
        t = t.start(clock.now)
    if state == PAUSED:
        t = t.pause(clock.advance(MIN))
    fresh = t.reset(2 * MIN)
    assert fresh == Timer.ready(2 * MIN)
    assert fresh.state == IDLE
    assert fresh.remaining(clock.advance(MIN)) == 2 * MIN


def test_reset_after_overrun_can_be_started_again(clock, running):
    clock.advance(5 * MIN)
    fresh = running.reset(MIN)
    restarted = fresh.start(clock.now)
    assert restarted.remaining(clock.advance(SEC)) == MIN - SEC


# --- to_dict --------------------------------------------------------------------------------


def test_to_dict_idle(clock):
    assert Timer.ready(MIN).to_dict() == {
        "state": "idle",
        "total_ms": MIN,
        "remaining_ms": MIN,
        "ends_at": None,
    }


def test_to_dict_running_has_ends_at_and_no_remaining(clock, running):
    assert running.to_dict() == {
        "state": "running",
        "total_ms": 3 * MIN,
        "remaining_ms": None,
        "ends_at": T0 + 3 * MIN,
    }


def test_to_dict_paused_has_remaining_and_no_ends_at(clock, running):
    paused = running.pause(clock.advance(MIN))
    assert paused.to_dict() == {
        "state": "paused",
        "total_ms": 3 * MIN,
        "remaining_ms": 2 * MIN,
        "ends_at": None,
    }


def test_to_dict_paused_at_zero_reports_zero_not_none(clock, running):
    paused = running.pause(clock.advance(3 * MIN))
    d = paused.to_dict()
    assert d["remaining_ms"] == 0
    assert d["ends_at"] is None


def test_to_dict_does_not_depend_on_the_clock(clock, running):
    before = running.to_dict()
    clock.advance(10 * MIN)
    assert running.to_dict() == before
