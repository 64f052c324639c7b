/* The projector screen: read-only, one message at a time. */
(function () {
  "use strict";
  const { el, t, $, $$, setText } = F;
  const root = $("#screen");
  const timer = F.timerView($(".mode-pitch .timer"));
  const announce = $("#announce");
  let lastMode = null;
  let lastLive = null;

  function field(name) { return $(`[data-field="${name}"]`, root); }

  function counts(c) {
    $$('[data-count="participants"]').forEach((n) => setText(n, String(c.participants)));
    $$('[data-count="ballots"]').forEach((n) => setText(n, String(c.ballots)));
    F.label($("[data-joined-label]"), c.participants === 1 ? "joined_one" : "joined_many");
    F.label($("[data-ballots-label]"), c.ballots === 1 ? "ballot_one" : "ballot_many");
  }

  function pitch(snap) {
    const live = snap.live;
    setText(field("section"), snap.section ? snap.section.title : "");
    if (live) {
      setText(field("pitcher"), live.pitcher);
      setText(field("organisation"), live.organisation ? " · " + live.organisation : "");
      setText(field("title"), live.title);
      setText(field("title_alt"), live.title_alt);
      setText(field("offer"), live.offer);
      setText(field("offer_alt"), live.offer_alt);
      timer.set(snap.timer);
    } else {
      setText(field("pitcher"), "");
      setText(field("organisation"), "");
      F.label(field("title"), snap.next ? "waiting_first" : "no_pitches_screen");
      setText(field("title_alt"), "");
      setText(field("offer"), "");
      setText(field("offer_alt"), "");
      timer.set(null);
    }
    root.classList.toggle("no-live", !live);
    setText(field("next"), snap.next
      ? t("next_is", { title: snap.next.title, pitcher: snap.next.pitcher }) : "");
  }

  function results(snap) {
    const list = $("#results");
    const rows = snap.results || [];
    const key = JSON.stringify(rows.map((r) => [r.id, r.votes, r.rank, r.title, r.pitcher]));
    const max = Math.max(1, ...rows.map((r) => r.votes));
    F.render(list, key, () => rows.map((r, i) => {
      const bar = el("span", { class: "bar-fill" });
      bar.style.setProperty("--share", (r.votes / max).toFixed(3));
      const li = el("li", {
          class: "result" + (r.rank <= 3 && r.votes > 0 ? " top top-" + r.rank : "") +
            (r.tied ? " tied" : ""),
        },
        el("span", { class: "rank" }, r.tied ? "=" + r.rank : String(r.rank)),
        el("span", { class: "what" },
          el("span", { class: "r-title" }, r.title),
          el("span", { class: "r-pitcher" }, r.pitcher)),
        el("span", { class: "bar" }, bar),
        el("span", { class: "votes" }, t(r.votes === 1 ? "dots_one" : "dots_many", { n: r.votes })));
      // Build up from the bottom of the ranking to the top.
      li.style.setProperty("--delay", ((rows.length - 1 - i) * 0.35).toFixed(2) + "s");
      return li;
    }));
    const tie = field("tie-note");
    F.show(tie, rows.some((r) => r.tied));
    setText(tie, t("tie_note"));
  }

  /* ---- the chime at 30 s left and at zero, where the browser lets it play ---- */
  const chime = $("#chime");
  const soundNote = $("#sound-note");
  let chimeOn = false;
  let soundBlocked = false;
  function probeSound() {
    chime.volume = 0;
    const played = chime.play();
    if (!played) return;
    played.then(() => { chime.pause(); chime.currentTime = 0; chime.volume = 1; soundBlocked = false; showSoundNote(); })
      .catch(() => { chime.volume = 1; soundBlocked = true; showSoundNote(); });
  }
  function showSoundNote() { F.show(soundNote, chimeOn && soundBlocked); }
  document.addEventListener("click", () => { if (soundBlocked) probeSound(); });
  timer.onPhase = (phase) => {
    if (!chimeOn || (phase !== "amber" && phase !== "overrun")) return;
    chime.currentTime = 0;
    const played = chime.play();
    if (played) played.catch(() => { soundBlocked = true; showSoundNote(); });
  };

  /* ---- section title card and the moderator's message ---- */
  const CARD_MS = 8000;
  let current = null;
  function overlays() {
    if (!current) return;
    const sec = current.section;
    const card = !!sec && !!sec.started_at && current.mode !== "blank" &&
      F.now() - sec.started_at < CARD_MS;
    F.show($("#section-card"), card);
    if (card) setText(field("section-card"), sec.title);
    const msg = $("#screen-message");
    const showMsg = !!current.message && current.mode !== "blank";
    F.show(msg, showMsg);
    root.classList.toggle("has-message", showMsg);
    setText(msg, current.message || "");
  }
  setInterval(overlays, 500);

  function stage(snap) {
    // The screen is rendered in the session's screen language: follow a change of it.
    if (F.page.language && snap.session.screen_language !== F.page.language) {
      location.reload();
      return;
    }
    current = snap;
    if (snap.session.chime !== chimeOn) {
      chimeOn = snap.session.chime;
      if (chimeOn) probeSound(); else showSoundNote();
    }
    overlays();
    if (snap.mode !== lastMode) {
      root.dataset.mode = snap.mode;
      if (lastMode !== null) setText(announce, t("mode_" + snap.mode));
      lastMode = snap.mode;
    }
    const liveId = snap.live ? snap.live.id : null;
    if (liveId !== lastLive && snap.live) setText(announce, t("now_pitching",
      { pitcher: snap.live.pitcher, title: snap.live.title }));
    lastLive = liveId;
    if (snap.counts) counts(snap.counts);
    pitch(snap);
    setText(field("vote-hint"), t("vote_hint", { n: snap.session.dots_per_person }));
    results(snap);
  }

  F.connect("screen", { stage, counts, refused: () => root.dataset.mode = "blank" });
})();
