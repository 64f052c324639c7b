/* The moderator's console: queue left, stage centre, session right. Works by keyboard.
 * Each panel is a module of console/; this one connects and hands every snapshot to them. */

import { t } from "./lib/i18n.js";
import { connect, final, gone } from "./lib/socket.js";
import { toast } from "./lib/toast.js";
import "./console/actions.js";
import { renderSections } from "./console/agenda.js";
import { renderCommitments } from "./console/commitments.js";
import { clearDevices, renderDevices } from "./console/devices.js";
import { renderSchedule } from "./console/header.js";
import { renderModes } from "./console/preview.js";
import { renderQueue } from "./console/queue.js";
import { renderReport } from "./console/report.js";
import { renderSettings } from "./console/settings.js";
import { renderCues, renderStage } from "./console/stage.js";
import { current, setCurrent } from "./console/state.js";
import { renderVoting } from "./console/voting.js";

/* The session panel: what changes while votes come in as well. */
function renderSession(snap) {
  renderVoting(snap);
  renderModes(snap);
  renderCommitments(snap);
  renderSettings(snap);
}

function stage(snap) {
  setCurrent(snap);
  renderQueue();
  renderStage(snap);
  renderSession(snap);
  renderSchedule(snap);
  renderSections(snap);
  renderReport(snap);
  renderCues(snap);
}

// Coalesced while votes come in: head counts and the tally, no more.
function counts(c) {
  const snap = current();
  if (!snap || c.rev < snap.rev) return;
  const { participants, ballots, interest } = c;
  setCurrent({ ...snap, counts: { participants, ballots, interest }, results: c.results });
  renderSession(current());
}

connect("console", {
  stage,
  counts,
  devices: renderDevices,
  disconnected: clearDevices,
  refused: (data) => {
    if (data.error === "unknown_session") return gone();
    // This browser's grant no longer opens the console: the link was replaced.
    if (data.error === "forbidden") return final("console_signed_out");
    toast(data.message || t("refused"));
  },
});
