"""Readable, translatable text for every error code the rules and validators raise."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from .domain.errors import RuleError

FIELDS = {
    "title": _l("Title"),
    "offer": _l("Offer"),
    "name": _l("Name"),
    "organisation": _l("Organisation"),
    "pitcher": _l("Pitcher"),
    "seconds": _l("Length"),
    "pitch_seconds": _l("Pitch length"),
    "dots_per_person": _l("Dots per person"),
    "max_dots_per_pitch": _l("Dots per pitch"),
    "pitch_id": _l("Pitch"),
    "dots": _l("Dots"),
    "index": _l("Position"),
    "status": _l("Status"),
    "mode": _l("Screen"),
    "section_id": _l("Section"),
    "revealed": _l("Reveal"),
    "auto_accept": _l("Auto-accept"),
    "payload": _l("Request"),
    "code": _l("Join code"),
    "text": _l("Message"),
    "start": _l("Start time"),
    "end": _l("End time"),
    "kind": _l("Kind"),
    "minutes": _l("Minutes"),
    "expect": _l("Stage"),
    "overrun_policy": _l("Overrun policy"),
    "overrun_grace_seconds": _l("Grace period"),
    "changeover_seconds": _l("Changeover"),
    "fit_floor_seconds": _l("Shortest pitch"),
    "chime": _l("Chime"),
    "impact": _l("Impact"),
    "ease": _l("Ease of a quick start"),
    "on": _l("Follow up"),
    "email": _l("Email"),
    "phone": _l("Phone"),
    "consent": _l("Consent"),
    "owners": _l("Owners"),
    "next_step": _l("Next step"),
    "due": _l("Due date"),
    "public": _l("Public link"),
    "confirm": _l("Confirmation"),
    "voting_method": _l("Voting method"),
    "voting_round": _l("Voting round"),
    "results_live": _l("Live results"),
    "rating_window_seconds": _l("Rating window"),
}

MESSAGES = {
    # payloads
    "wrong_type": _l("%(field)s has the wrong type."),
    "required": _l("%(field)s is required."),
    "too_long": _l("%(field)s is too long (at most %(max)s characters)."),
    "bad_characters": _l("%(field)s contains characters that are not allowed."),
    "out_of_range": _l("%(field)s must be between %(lo)s and %(hi)s."),
    "invalid_choice": _l("%(field)s is not one of the allowed values."),
    "unknown_field": _l("Unexpected field: %(field)s."),
    "nothing_to_change": _l("Nothing to change."),
    # roles and sessions
    "forbidden": _l("Only the moderator can do that."),
    "not_joined": _l("Join the session first."),
    "unknown_session": _l("There is no session with this code."),
    "unknown_event": _l("Unknown action."),
    "too_large": _l("The request is too large."),
    "not_found": _l("There is nothing at this address."),
    "method_not_allowed": _l("This address does not accept that method."),
    "bad_request": _l("The request could not be handled."),
    "server_error": _l("Something went wrong on the server. Please try again."),
    "busy": _l("The server is busy. Please try again."),
    "too_many_consoles": _l(
        "This session already has as many consoles open as it may. Close one and try again."
    ),
    "rate_limited": _l("Too many actions at once. Wait a moment and try again."),
    "too_many_attempts": _l("Too many wrong codes from this network. Wait a minute and try again."),
    "invalid_json": _l("The request is not valid JSON."),
    "too_many_sessions": _l(
        "Too many new sessions from this network. Try again in %(minutes)s minute(s)."
    ),
    "too_many_joins": _l(
        "Too many people joined from this network just now. Try again in a moment."
    ),
    "start_page_closed": _l(
        "New sessions are not created on this server's start page. "
        "Ask the organiser for the console link."
    ),
    # queue
    "unknown_pitch": _l("That pitch does not exist (any more)."),
    "unknown_section": _l("That section does not exist."),
    "invalid_position": _l("That position is outside the queue."),
    "invalid_status": _l("That status cannot be set."),
    "pitch_pending": _l("Accept the pitch into the queue first."),
    "status_unchanged": _l("The pitch already has that status."),
    "not_pending": _l("That pitch is not waiting for approval."),
    "too_many_pitches": _l("You can have at most %(max)s pitches waiting."),
    "not_your_pitch": _l("That is not your pitch."),
    "pitch_started": _l("That pitch has already been on stage."),
    "ready_pending": _l("Your pitch is not in the queue yet: check in once it is accepted."),
    # timer and stage
    "queue_empty": _l("No pitch is waiting in the queue."),
    "no_live_pitch": _l("No pitch is on stage."),
    "timer_running": _l("The timer is already running."),
    "timer_not_running": _l("The timer is not running."),
    "timer_not_paused": _l("The timer is not paused."),
    "timer_overrun": _l("The pitch is already over time."),
    "timer_too_long": _l("That would make the pitch too long."),
    "stage_changed": _l(
        "Another moderator changed the stage just before you: nothing was done. "
        "Check the stage and press again."
    ),
    "section_in_use": _l("That section is running. Move to another section first."),
    "below_floor": _l("A pitch cannot be shorter than %(floor)s seconds."),
    "nothing_to_undo": _l("There is nothing to undo (undo works for 30 seconds)."),
    "invalid_time": _l("Give times of day as HH:MM, for example 09:50."),
    "end_before_start": _l("The end time must be after the start time."),
    "invalid_floor": _l("The shortest pitch length must be positive."),
    "invalid_changeover": _l("The changeover time cannot be negative."),
    # voting
    "voting_closed": _l("Voting is not open."),
    "voting_already_open": _l("Voting is already open."),
    "voting_already_closed": _l("Voting is not open."),
    "nothing_to_reveal": _l("Open voting before revealing results."),
    "pitch_not_votable": _l("You cannot vote for that pitch."),
    "own_pitch": _l("You cannot vote for your own pitch."),
    "invalid_dots": _l("That number of dots is not allowed."),
    "max_per_pitch": _l("At most %(max)s dot(s) per pitch."),
    "budget_exceeded": _l("You have used all %(budget)s dots. Take one back to move it."),
    "wrong_method": _l("That is not how this round votes. Reload the page."),
    "voting_open": _l("Close voting before changing the method."),
    "ballots_cast": _l("Ballots were already cast with this method: it cannot change now."),
    # follow-up, contacts, commitments, the outcome
    "own_pitch_interest": _l("That is your own pitch."),
    "invalid_email": _l("That is not an email address."),
    "invalid_phone": _l("That is not a phone number."),
    "invalid_date": _l("Give the date as YYYY-MM-DD."),
    "too_many": _l("%(field)s: at most %(max)s."),
    "contact_required": _l("Give an email address or a phone number."),
    "consent_required": _l("Tick the box to agree before you share contact details."),
    "unknown_participant": _l("That person is not in this session."),
    "unknown_commitment": _l("That pitch has no commitment."),
    "wrong_confirmation": _l("Type the session code to confirm."),
}


def describe(err: RuleError) -> str:
    params = dict(err.params)
    if "field" in params:
        params["field"] = str(FIELDS.get(params["field"], params["field"]))
    template = MESSAGES.get(err.code)
    if template is None:
        return gettext("The request was refused.")
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


def error_payload(err: RuleError) -> dict:
    return {"ok": False, "error": err.code, "message": describe(err)}
