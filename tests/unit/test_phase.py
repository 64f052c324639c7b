"""Unit tests for the console's main action (facilitator.domain.phase): the one action that
moves the session on, from the first talk to the published outcome."""

import pytest

from facilitator.domain.phase import (
    ACTIONS,
    CLOSE_VOTING,
    COMMITMENTS,
    DONE,
    OPEN_VOTING,
    PAUSE,
    PUBLISH,
    RESUME,
    REVEAL,
    START,
    START_SECTION,
    SectionInfo,
    item_kind,
    main_action,
    position,
)

TALKS = SectionInfo(1, "talks", "What there is to build on", False)
PITCHES = SectionInfo(2, "pitches", "Quick wins", False)
DISCUSSION = SectionInfo(3, "discussion", "What next", False)


def started(*sections):
    return [SectionInfo(x.id, x.kind, x.title, True) for x in sections]


def act(**kw):
    facts = {
        "sections": [TALKS, PITCHES, DISCUSSION],
        "current_id": None,
        "live": False,
        "timer_state": "idle",
        "waiting": 0,
        "voting": "idle",
        "revealed": False,
        "votable": 6,
        "commitments": 0,
        "outcome_public": False,
    }
    facts.update(kw)
    return main_action(**facts)


def test_the_reference_session_from_the_first_talk_to_the_published_outcome():
    """Each step's main action, in order, as a moderator meets them."""
    steps = []
    # Before anything: start the talks (the first section).
    p = act(waiting=2)
    steps.append((p.action, p.section_title))
    assert (p.action, p.section_id, p.section_kind, p.kind) == (START_SECTION, 1, "talks", "talks")
    # In the talks with two waiting: start the next talk, words of talks.
    p = act(sections=[*started(TALKS), PITCHES, DISCUSSION], current_id=1, waiting=2)
    assert (p.action, p.kind) == (START, "talks")
    # A talk on stage, running then paused; the second is the last one.
    p = act(
        sections=[*started(TALKS), PITCHES, DISCUSSION],
        current_id=1,
        live=True,
        timer_state="running",
        waiting=1,
    )
    assert (p.action, p.kind, p.last_item) == (PAUSE, "talks", False)
    p = act(
        sections=[*started(TALKS), PITCHES, DISCUSSION],
        current_id=1,
        live=True,
        timer_state="paused",
        waiting=0,
    )
    assert (p.action, p.last_item) == (RESUME, True)
    # After the last talk: no error, the pitch round is next.
    p = act(sections=[*started(TALKS), PITCHES, DISCUSSION], current_id=1, waiting=0)
    assert (p.action, p.section_id, p.section_kind) == (START_SECTION, 2, "pitches")
    # The pitch round: start the next pitch.
    round_ = [*started(TALKS, PITCHES), DISCUSSION]
    p = act(sections=round_, current_id=2, waiting=6)
    assert (p.action, p.kind) == (START, "pitches")
    # After the last pitch: voting, then closing, then the reveal.
    assert act(sections=round_, current_id=2).action == OPEN_VOTING
    assert act(sections=round_, current_id=2, voting="open").action == CLOSE_VOTING
    assert act(sections=round_, current_id=2, voting="closed").action == REVEAL
    # Revealed: on to the discussion.
    p = act(sections=round_, current_id=2, voting="closed", revealed=True)
    assert (p.action, p.section_id) == (START_SECTION, 3)
    # The discussion: commitments, then publishing the outcome, then done.
    last = started(TALKS, PITCHES, DISCUSSION)
    done = {"sections": last, "current_id": 3, "voting": "closed", "revealed": True}
    assert act(**done).action == COMMITMENTS
    assert act(**done, commitments=2).action == PUBLISH
    assert act(**done, commitments=2, outcome_public=True).action == DONE


def test_a_live_item_whose_timer_was_reset_resumes_by_starting():
    p = act(sections=started(PITCHES), current_id=2, live=True, timer_state="idle", waiting=3)
    assert p.action == RESUME


def test_a_second_pitch_round_comes_before_voting():
    second = SectionInfo(4, "pitches", "More quick wins", False)
    p = act(sections=[*started(TALKS, PITCHES), second, DISCUSSION], current_id=2)
    assert (p.action, p.section_id) == (START_SECTION, 4)


def test_without_anything_to_vote_on_the_agenda_moves_on():
    p = act(sections=[*started(TALKS, PITCHES), DISCUSSION], current_id=2, votable=0)
    assert (p.action, p.section_id) == (START_SECTION, 3)
    # ... and at its end, with nothing voted on, no commitments step: the outcome.
    p = act(sections=started(TALKS, PITCHES, DISCUSSION), current_id=3, votable=0)
    assert p.action == PUBLISH


def test_a_session_without_an_agenda_starts_its_queue_then_votes():
    assert act(sections=[], waiting=3).action == START
    assert act(sections=[], waiting=0).action == OPEN_VOTING
    assert act(sections=[], waiting=0, voting="open").action == CLOSE_VOTING


def test_voting_opened_early_does_not_skip_the_waiting_pitches():
    round_ = [*started(TALKS, PITCHES), DISCUSSION]
    assert act(sections=round_, current_id=2, waiting=2, voting="open").action == START
    # and a reopened vote must be closed again before the reveal
    assert act(sections=round_, current_id=2, voting="open", revealed=False).action == CLOSE_VOTING


def test_a_current_section_removed_from_the_list_falls_back_to_what_has_not_started():
    p = act(sections=[*started(TALKS), PITCHES], current_id=99)
    assert (p.action, p.section_id) == (START_SECTION, 2)


def test_every_answer_is_a_declared_action_and_serialises():
    p = act()
    assert p.action in ACTIONS
    assert p.to_dict()["section_title"] == "What there is to build on"


@pytest.mark.parametrize(
    "kind, words",
    [("talks", "talks"), ("pitches", "pitches"), ("discussion", "pitches"), (None, "pitches")],
)
def test_the_words_follow_the_section_kind(kind, words):
    assert item_kind(kind) == words


def test_position_counts_the_item_on_stage_or_next_and_ignores_skipped():
    assert position(["done", "done", "live", "queued"]) == (3, 4)
    assert position(["done", "skipped", "queued", "queued"]) == (2, 3)
    assert position(["done", "done"]) == (0, 2)
    assert position([]) == (0, 0)
