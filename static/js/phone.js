/* The phone: join, follow the stage, pitch, vote. One column, one thumb. Each part of the page
 * is a module of phone/; this one joins, connects and redraws them on every change. */
import { $, setText, show } from "./lib/dom.js";
import { t } from "./lib/i18n.js";
import { page } from "./lib/page.js";
import { connect, gone, socket } from "./lib/socket.js";
import { toast } from "./lib/toast.js";
import { renderRateNow, renderResults, renderVote } from "./phone/ballot.js";
import { renderContact, renderFollow } from "./phone/follow.js";
import { joinForm } from "./phone/join.js";
import "./phone/propose.js";
import { deletedPage } from "./phone/leave.js";
import { arrange, phaseOf } from "./phone/phase.js";
import { renderMine, renderStage } from "./phone/stage.js";
import { ballotChanged, onChange, state, update } from "./phone/state.js";

function renderAll() {
  const { snap } = state;
  if (!snap) return;
  renderStage();
  renderMine();
  renderVote();
  renderRateNow();
  renderResults();
  renderFollow();
  renderContact();
  $("#app").dataset.voting = snap.voting; // the round's state, for styles and tests
  arrange(phaseOf(snap, state.me));
}
onChange(renderAll);

function refused(data) {
  if (data?.error === "unknown_session") {
    gone();
    return;
  }
  // Not (or no longer) a participant of this session: ask for a name again.
  socket()?.disconnect();
  show($("#app"), false);
  show($("#join"), true);
  show($("#who"), false);
  $("#phone").dataset.joined = "no";
  if (data?.error && data.error !== "not_joined") toast(data.message);
}

function onMe(m) {
  if (!m.participant) {
    deletedPage();
    return;
  }
  show($("#who"), true);
  setText($("#who"), t("joined_as", { name: m.participant.name }));
  update({ me: m });
}

function joined() {
  show($("#join"), false);
  show($("#app"), true);
  $("#phone").dataset.joined = "yes";
  if (!socket()) {
    // This page's version: its entry module's, in the URL the page loaded it from.
    const version = new URL(import.meta.url).searchParams.get("v");
    connect(
      "phone",
      {
        stage: (snap) => update({ snap }),
        me: onMe,
        ballot: ballotChanged,
        refused,
        left: deletedPage,
      },
      version,
    );
  } else socket().connect();
}

joinForm(joined);
if (page.joined) joined();
else $("#join-name").focus();
