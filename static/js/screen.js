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

  let interest = {};
  function counts(c) {
    interest = c.interest || {};
    if (c.results && current) { current.results = c.results; results(current); }
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
    const method = snap.method;
    const count = (r) => String(interest[String(r.id)] || 0);
    const key = JSON.stringify([method, rows.map((r) => [r.id, r.score, r.rank, r.title, r.pitcher, r.impact, r.ease]), interest]);
    const max = Math.max(1, ...rows.map((r) => r.score));
    root.classList.toggle("matrix-results", method === "matrix");
    F.render(list, key, () => rows.map((r, i) => {
      const bar = el("span", { class: "bar-fill" });
      bar.style.setProperty("--share", (r.score / max).toFixed(3));
      const li = el("li", {
          class: "result" + (r.rank <= 3 && r.score > 0 ? " top top-" + r.rank : "") +
            (r.tied ? " tied" : "") + (r.quadrant === "quick_win" ? " quick-win" : ""),
        },
        el("span", { class: "rank" }, r.tied ? "=" + r.rank : String(r.rank)),
        el("span", { class: "what" },
          el("span", { class: "r-title" }, r.title),
          el("span", { class: "r-pitcher" }, r.pitcher),
          count(r) !== "0" ? el("span", { class: "r-interest" }, t(count(r) === "1" ? "interested_one" : "interested_many", { n: count(r) })) : null),
        el("span", { class: "bar" }, bar),
        el("span", { class: "votes" }, F.scoreText(method, r)));
      // Build up from the bottom of the ranking to the top.
      li.style.setProperty("--delay", ((rows.length - 1 - i) * 0.35).toFixed(2) + "s");
      return li;
    }));
    F.show($("#matrix-box"), method === "matrix");
    if (method === "matrix") F.render($("#matrix-box"), key, () => [matrix(rows)]);
    const tie = field("tie-note");
    F.show(tie, rows.some((r) => r.tied));
    setText(tie, method === "dots" ? t("tie_note") : t("tie_note_score"));
  }

  /* Impact up, ease right: each rated pitch a numbered dot at its means; top right wins. */
  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function matrix(rows) {
    const box = svg("svg", { class: "matrix", viewBox: "0 0 440 440", role: "img", "aria-label": t("matrix_label") });
    const quads = [[240, 20, "m-q m-q-win"], [60, 20, "m-q"], [60, 200, "m-q"], [240, 200, "m-q"]];
    quads.forEach(([x, y, cls]) => box.append(svg("rect", { class: cls, x, y, width: 180, height: 180 })));
    box.append(svg("text", { class: "m-ql m-ql-win", x: 410, y: 44, "text-anchor": "end" }, t("quadrant_quick_win")));
    box.append(svg("text", { class: "m-ql", x: 70, y: 44 }, t("quadrant_major_project")));
    box.append(svg("text", { class: "m-ql", x: 410, y: 370, "text-anchor": "end" }, t("quadrant_fill_in")));
    box.append(svg("text", { class: "m-ql", x: 70, y: 370 }, t("quadrant_not_now")));
    for (let v = 1; v <= 5; v++) {
      box.append(svg("text", { class: "m-tick", x: 60 + (v - 1) * 90, y: 400, "text-anchor": "middle" }, String(v)));
      box.append(svg("text", { class: "m-tick", x: 48, y: 385 - (v - 1) * 90, "text-anchor": "end" }, String(v)));
    }
    box.append(svg("text", { class: "m-axis", x: 240, y: 430, "text-anchor": "middle" }, t("ease") + " →"));
    box.append(svg("text", { class: "m-axis", x: 16, y: 200, "text-anchor": "middle", transform: "rotate(-90 16 200)" }, t("impact") + " →"));
    for (const r of rows) {
      if (r.impact === null || r.ease === null) continue;
      const g = svg("g", { class: "m-dot" + (r.quadrant === "quick_win" ? " m-dot-win" : ""),
        transform: `translate(${60 + (r.ease - 1) * 90} ${380 - (r.impact - 1) * 90})`, "data-pitch": r.id });
      g.append(svg("circle", { r: 15 }), svg("text", { y: 6, "text-anchor": "middle" }, String(r.rank)),
        svg("title", {}, `${r.rank}. ${r.title}: ${r.impact} / ${r.ease}`));
      box.append(g);
    }
    return box;
  }

  function commitments(snap) {
    const rows = snap.commitments || [];
    F.render($("#commitments"), JSON.stringify(rows), () => rows.map((c) => el("li", { class: "commitment status-" + c.status },
      el("span", { class: "c-title" }, c.title),
      el("span", { class: "c-owners" }, c.owners.join(", ")),
      c.next_step ? el("span", { class: "c-step" }, c.next_step) : null,
      el("span", { class: "c-meta" }, [t("status_" + c.status), c.due].filter(Boolean).join(" · ")))));
    const none = field("no-commitments");
    F.show(none, !rows.length);
    setText(none, t("no_commitments"));
    const qr = $("#outcome-qr");
    F.show(qr, !!snap.outcome_url);
    if (snap.outcome_url) {
      const src = "/o/" + snap.outcome_url.split("/o/")[1] + "/qr.svg";
      const img = qr.querySelector("img");
      if (img.getAttribute("src") !== src) img.setAttribute("src", src);
    }
  }

  /* Per-pitch rounds: "rate now" while the window after a pitch is open. */
  function rateBand() {
    const band = $("#rate-band");
    const r = current && current.rate_now;
    const p = r && F.now() < r.until ? current.votable.find((x) => x.id === r.pitch_id) : null;
    const visible = !!p && current.mode !== "blank" && current.mode !== "results";
    F.show(band, visible);
    if (visible) setText(band, t("rate_now_screen", { title: p.title }));
  }
  F.every(rateBand, 500);

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
  F.every(overlays, 500);

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
    setText(field("vote-hint"), snap.method === "matrix" ? t("matrix_vote_hint")
      : snap.method === "approval" ? t("approval_vote_hint") : t("vote_hint", { n: snap.session.dots_per_person }));
    results(snap);
    commitments(snap);
    rateBand();
  }

  F.connect("screen", { stage, counts, refused: () => root.dataset.mode = "blank" });
})();
