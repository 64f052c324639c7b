"""Every string the browser scripts show, translated on the server and handed to the page
as JSON (the scripts never carry their own English)."""
from __future__ import annotations

from flask_babel import gettext as _


def ui_text() -> dict:
    return {
        # connection and actions
        "reconnecting": _("Connection lost. Reconnecting…"),
        "offline_action": _("You are offline. Wait for the connection to come back."),
        "no_answer": _("The server did not answer. Please try again."),
        "refused": _("That was refused."),
        "saved": _("Saved."),
        # timer
        "timer_normal": _("Time left"), "timer_amber": _("Last 30 seconds"),
        "timer_red": _("Last 10 seconds"), "timer_overrun": _("Over time"),
        "timer_paused": _("Paused"), "timer_ready": _("Ready"),
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
        "mode_lobby": _("The screen shows the lobby."), "mode_pitch": _("The screen shows the stage."),
        "mode_voting": _("Voting is open."), "mode_results": _("The results are on screen."),
        "mode_blank": _("The screen is blank."),
        "mode_auto": _("Auto (%(mode)s)"),
        "mode_name_auto": _("Auto"), "mode_name_lobby": _("Lobby"), "mode_name_pitch": _("Pitch"),
        "mode_name_voting": _("Voting"), "mode_name_results": _("Results"),
        "mode_name_blank": _("Blank"),
        # counts
        "joined_one": _("person joined"), "joined_many": _("people joined"),
        "ballot_one": _("ballot so far"), "ballot_many": _("ballots so far"),
        "dots_one": _("%(n)s dot"), "dots_many": _("%(n)s dots"),
        "waiting_count": _("(%(n)s waiting)"),
        "minutes": _("%(n)s min"),
        "ordinal": _("no. %(n)s"),
        # voting
        "vote_hint": _("Open the page on your phone and give your %(n)s dots to the most promising quick wins."),
        "dots_left": _("You have %(left)s of %(budget)s dots left."),
        "give_dot": _("Give a dot"), "dot_given": _("✓ Dot given"),
        "take_back_hint": _("Tap a given dot again to take it back and move it."),
        "give_dot_to": _("Give a dot to %(title)s"), "take_dot_from": _("Take a dot from %(title)s"),
        "your_pitch": _("Your pitch"),
        "voting_closed_wait": _("Voting is closed. The results are coming."),
        "tie_note": _("= marks a tie: equal dots share a rank."),
        "voting_idle": _("not opened yet"), "voting_open": _("open"), "voting_closed": _("closed"),
        "revealed": _("results shown"),
        "open_voting": _("Open voting"), "close_voting": _("Close voting"),
        "reopen_voting": _("Reopen voting"),
        "reveal_results": _("Reveal results"), "hide_results": _("Hide results"),
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
        "status_pending": _("waiting for approval"), "status_queued": _("queued"),
        "status_live": _("live"), "status_done": _("done"), "status_skipped": _("skipped"),
        # console
        "start": _("Start"), "start_first": _("Start next pitch"), "pause": _("Pause"),
        "resume": _("Resume"),
        "accept": _("Accept"), "skip": _("Skip"), "mark_done": _("Done"),
        "requeue": _("Back to queue"), "edit": _("Edit"), "remove": _("Remove"),
        "remove_title": _("Remove %(title)s"), "move_up": _("Move %(title)s up"),
        "move_down": _("Move %(title)s down"), "save": _("Save"), "cancel": _("Cancel"),
        "pitcher": _("Pitcher"), "organisation": _("Organisation"), "title": _("Title"),
        "offer": _("Offer"), "length_seconds": _("Length (seconds)"),
        "pitch_added": _("Pitch added to the queue."),
        "no_section": _("No section"),
    }
