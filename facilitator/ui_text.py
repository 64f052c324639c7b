"""Every string the browser scripts show, translated on the server and handed to the page
as JSON (the scripts never carry their own English)."""

from __future__ import annotations

from flask_babel import gettext as _

from .domain import commitments, schedule, screen, voting
from .exports import label


def ui_text() -> dict:
    return {
        # connection and actions
        "reconnecting": _("Connection lost. Reconnecting…"),
        "offline_action": _("You are offline. Wait for the connection to come back."),
        "no_answer": _("The server did not answer. Please try again."),
        "refused": _("That was refused."),
        "saved": _("Saved."),
        # timer
        "timer_normal": _("Time left"),
        "timer_amber": _("Last 30 seconds"),
        "timer_red": _("Last 10 seconds"),
        "timer_overrun": _("Over time"),
        "timer_paused": _("Paused"),
        "timer_ready": _("Ready"),
        # stage
        "next_is": _("Next: %(title)s (%(pitcher)s)"),
        "nobody_next": _("Nobody is waiting in the queue."),
        "now_pitching": _("Now pitching: %(pitcher)s, %(title)s"),
        "waiting_first": _("The first pitch starts soon"),
        "no_pitches_screen": _("Scan the code to pitch your quick win"),
        "nothing_on_stage": _("Nothing on stage right now"),
        "ready_to_start": _("Ready to start the next pitch"),
        "queue_done": _("No pitch waiting. Add one or accept a request."),
        "last_pitch_done": _("That was the last pitch in the queue."),
        "mode_lobby": _("The screen shows the lobby."),
        "mode_pitch": _("The screen shows the stage."),
        "mode_voting": _("Voting is open."),
        "mode_results": _("The results are on screen."),
        "mode_blank": _("The screen is blank."),
        "mode_auto": _("Auto (%(mode)s)"),
        **labels("mode_name_", screen.MODE_OPTIONS),
        # counts
        "joined_one": _("person joined"),
        "joined_many": _("people joined"),
        "ballot_one": _("ballot so far"),
        "ballot_many": _("ballots so far"),
        "dots_one": _("%(n)s dot"),
        "dots_many": _("%(n)s dots"),
        "waiting_count": _("(%(n)s waiting)"),
        "minutes": _("%(n)s min"),
        "ordinal": _("no. %(n)s"),
        # voting
        "vote_hint": _(
            "Open the page on your phone and give your %(n)s dots to the most promising quick wins."
        ),
        "dots_left": _("You have %(left)s of %(budget)s dots left."),
        "give_dot": _("Give a dot"),
        "dot_given": _("✓ Dot given"),
        "take_back_hint": _("Tap a given dot again to take it back and move it."),
        "give_dot_to": _("Give a dot to %(title)s"),
        "take_dot_from": _("Take a dot from %(title)s"),
        "your_pitch": _("Your pitch"),
        "voting_closed_wait": _("Voting is closed. The results are coming."),
        "tie_note": _("= marks a tie: equal dots share a rank."),
        "voting_idle": _("not opened yet"),
        "voting_open": _("open"),
        "voting_closed": _("closed"),
        "revealed": _("results shown"),
        "open_voting": _("Open voting"),
        "close_voting": _("Close voting"),
        "reopen_voting": _("Reopen voting"),
        "reveal_results": _("Reveal results"),
        "hide_results": _("Hide results"),
        "reveal_next": _("Reveal next place (%(n)s of %(of)s)"),
        "reveal_progress": _("Places revealed: %(n)s of %(of)s"),
        "page_of": _("%(n)s/%(of)s"),
        "no_votes_yet": _("No votes yet."),
        # the participant
        "joined_as": _("You are %(name)s"),
        "name_required": _("Please type your name."),
        "you_are_on": _("You're on! Your pitch is live."),
        "you_are_next": _("You're next. Get ready!"),
        "your_place": _("Your pitch is %(place)s in the queue."),
        "your_pitch_pending": _("Your pitch is waiting for the moderator."),
        "pitch_fields_required": _("Please give a title and a one-line offer."),
        "pitch_sent": _("Sent. The moderator will add it to the queue."),
        "pitch_queued": _("You're in the queue."),
        "withdraw": _("Withdraw"),
        # statuses
        "status_pending": _("waiting for approval"),
        "status_queued": _("queued"),
        "status_live": _("live"),
        "status_done": _("done"),
        "status_skipped": _("skipped"),
        # console
        "start": _("Start"),
        "start_first": _("Start next pitch"),
        "pause": _("Pause"),
        "resume": _("Resume"),
        "accept": _("Accept"),
        "skip": _("Skip"),
        "mark_done": _("Done"),
        "requeue": _("Back to queue"),
        "edit": _("Edit"),
        "remove": _("Remove"),
        "remove_title": _("Remove %(title)s"),
        "move_up": _("Move %(title)s up"),
        "move_down": _("Move %(title)s down"),
        "save": _("Save"),
        "cancel": _("Cancel"),
        "pitcher": _("Pitcher"),
        "organisation": _("Organisation"),
        "title": _("Title"),
        "offer": _("Offer"),
        "length_seconds": _("Length (seconds)"),
        "pitch_added": _("Pitch added to the queue."),
        "title_alt": _("Title in a second language"),
        "offer_alt": _("Offer in a second language"),
        "no_section": _("No section"),
        # time keeping (console)
        "over_by": _("%(time)s over"),
        "behind": _("%(time)s behind"),
        "ahead": _("%(time)s ahead"),
        "on_time": _("On time"),
        "no_end_time": _("no end time set"),
        "fit_ok": _("The waiting pitches fit: they need %(need)s of the %(have)s left."),
        "fit_proposal": _(
            "The waiting pitches need %(need)s but only %(have)s are left. "
            "Fit proposes %(each)s each."
        ),
        "fit_impossible": _(
            "Even at the shortest length (%(floor)s), %(n)s pitch(es) will not fit."
        ),
        "fit_button": _("Fit: %(each)s each"),
        "fit_confirm": _(
            "Set all %(n)s waiting pitches to %(each)s each? Nothing changes until you confirm."
        ),
        "fit_done": _("The waiting pitches now fit."),
        "fit_nothing": _("The queue already fits."),
        "fit_unavailable": _("No fit to propose right now."),
        "cut_line": _("Cut line: the %(n)s pitches below do not fit in the time left"),
        "cut_line_one": _("Cut line: the pitch below does not fit in the time left"),
        "undo_hint": _("%(action)s. Press U to undo (30 s)."),
        "undo_what": _("Undo %(action)s"),
        "undone": _("Undone."),
        "undone_mark": _("undone"),
        "did_remove": _("Removed"),
        "did_skip": _("Skipped"),
        "did_reset": _("Timer reset"),
        "did_close_voting": _("Voting closed"),
        "did_mark": _("Skipped"),
        "no_sections": _("There is no agenda yet: add sections first."),
        "last_section": _("This is the last section."),
        "section_now": _("now"),
        "section_done": _("took %(time)s"),
        "go_to_section": _("Start"),
        **labels("kind_", schedule.SECTION_KIND_OPTIONS),
        "no_agenda": _("No agenda. Add sections to keep time per section."),
        "minutes_label": _("Minutes"),
        "no_pitch_run": _("No pitch has run yet."),
        "cue_on_screen": _("On screen: “%(text)s”"),
        "cue_on_phone": _("To pitcher: “%(text)s”"),
        "cue_empty": _("Type a message first."),
        "cue_sent": _("Message sent."),
        # screen and phone
        "section_starts": _("Next part"),
        "sound_blocked": _("Click anywhere to enable the chime."),
        "moderator_says": _("From the moderator"),
        "your_time": _("Your time"),
        # voting methods, follow-up, the outcome
        "approve": _("Approve"),
        "approved": _("✓ Approved"),
        "approve_hint": _("Approve every pitch you find promising: as many as you like."),
        "rate_hint": _("Rate each pitch 1 to 5. Tap a chosen number again to clear it."),
        "impact": _("Impact for the city"),
        "ease": _("Ease of a quick start"),
        "rate_value": _("%(what)s: %(n)s of 5 for %(title)s"),
        "rated": _("Rated"),
        "approvals_one": _("%(n)s approval"),
        "approvals_many": _("%(n)s approvals"),
        "score_is": _("score %(n)s"),
        "matrix_vote_hint": _(
            "Open the page on your phone and rate each pitch: impact and ease of a quick start."
        ),
        "approval_vote_hint": _(
            "Open the page on your phone and approve every pitch you find promising."
        ),
        "rate_now": _("Rate it now: %(title)s"),
        "rate_now_screen": _("Rate now on your phone: %(title)s"),
        "per_pitch_wait": _("Pitches can be rated once they have been on stage."),
        "tie_note_score": _("= marks a tie: equal scores share a rank."),
        "follow": _("I want to follow up"),
        "following": _("✓ Following up"),
        "interested_one": _("%(n)s wants to follow up"),
        "interested_many": _("%(n)s want to follow up"),
        "interested_none": _("Nobody has asked to follow up yet."),
        "contact_saved": _("Contact details saved."),
        "contact_removed": _("Contact details removed."),
        "contact_shared": _(
            "Shared with the pitchers you follow up with and the moderator: %(contact)s"
        ),
        "contact_not_shared": _("You have not shared contact details."),
        "delete_confirm": _(
            "Delete your name, organisation and contact details from this session? "
            "Your votes stay counted anonymously. This cannot be undone."
        ),
        "deleted": _("You were removed from this session."),
        "session_erased": _("This session was erased by the moderator."),
        "data_deleted": _("You deleted your data. Nothing about you is kept in this session."),
        "console_signed_out": _(
            "This console was signed out: its link was replaced. Open the new console link."
        ),
        "see_outcome": _("See the outcome"),
        "mode_commitments": _("The commitments are on screen."),
        "quadrant_quick_win": _("Quick wins"),
        "quadrant_major_project": _("Major projects"),
        "quadrant_fill_in": _("Fill-ins"),
        "quadrant_not_now": _("Not now"),
        "matrix_label": _("Impact and ease of each pitch: the quick wins are top right"),
        **labels("status_", commitments.STATUS_OPTIONS),
        "owners": _("Owners"),
        "next_step": _("Next step"),
        "due": _("Due"),
        "no_commitments": _("No commitments yet."),
        "commitment_saved": _("Commitment saved."),
        "add_owner": _("Add"),
        "remove_owner": _("Remove %(name)s"),
        "commit": _("Commitment"),
        **labels("method_", voting.METHOD_OPTIONS),
    }


def labels(prefix: str, options) -> dict:
    """The short labels of declared options, keyed `prefix + value` (e.g. `t("kind_talks")`)."""
    return {prefix + o.value: label(options, o.value) for o in options}
