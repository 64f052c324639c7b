/* The phone: join, follow the stage, pitch, vote. One column, one thumb. */
(function () {
  "use strict";
  const { el, t, $, setText, show } = F;
  const timer = F.timerView($("#on-stage .timer"));
  const announce = $("#announce");
  let snap = null;
  let me = null;
  let lastStatus = "";

  /* ---- joining ---- */
  const joinForm = $("#join-form");
  joinForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const button = joinForm.querySelector("button");
    const error = $("#join-error");
    const name = joinForm.name.value.trim();
    if (!name) {
      show(error, true); setText(error, t("name_required")); joinForm.name.focus();
      return;
    }
    button.disabled = true; button.classList.add("busy");
    try {
      const res = await fetch(`/api/sessions/${encodeURIComponent(F.page.code)}/participants`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name, organisation: joinForm.organisation.value.trim() }),
        credentials: "same-origin",
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok || !body.ok) throw new Error(body.message || t("refused"));
      show(error, false);
      joined();
    } catch (e) {
      show(error, true);
      setText(error, e.message === "Failed to fetch" ? t("offline_action") : e.message);
    } finally {
      button.disabled = false; button.classList.remove("busy");
    }
  });

  function joined() {
    show($("#join"), false);
    show($("#app"), true);
    $("#phone").dataset.joined = "yes";
    if (!F.socket) F.connect("phone", { stage, me: onMe, refused });
    else F.socket.connect();
  }

  function refused(data) {
    // Not (or no longer) a participant of this session: ask for a name again.
    if (F.socket) F.socket.disconnect();
    show($("#app"), false);
    show($("#join"), true);
    show($("#who"), false);
    $("#phone").dataset.joined = "no";
    if (data && data.error && data.error !== "not_joined") F.toast(data.message);
  }

  /* ---- what is on stage ---- */
  function renderStage() {
    const live = snap.live;
    setText($('#on-stage [data-field="title"]'), live ? live.title : t("nothing_on_stage"));
    setText($('#on-stage [data-field="title_alt"]'), live ? live.title_alt : "");
    setText($('#on-stage [data-field="pitcher"]'), live
      ? live.pitcher + (live.organisation ? " · " + live.organisation : "") : "");
    show($("#on-stage .timer"), !!live);
    timer.set(live ? snap.timer : null);
    setText($('.stage [data-field="next"]'), snap.next
      ? t("next_is", { title: snap.next.title, pitcher: snap.next.pitcher }) : "");
  }

  /* ---- the one thing this person can do now ---- */
  function myStatus() {
    if (!me || !me.pitches) return "";
    const mine = new Set(me.pitches.map((p) => p.id));
    if (snap.live && mine.has(snap.live.id)) return t("you_are_on");
    if (snap.next && mine.has(snap.next.id)) return t("you_are_next");
    const waiting = snap.queue.filter((p) => p.status === "queued");
    const place = waiting.findIndex((p) => mine.has(p.id));
    if (place >= 0) return t("your_place", { place: F.ordinal(place + 1) });
    if (me.pitches.some((p) => p.status === "pending")) return t("your_pitch_pending");
    return "";
  }

  function renderMine() {
    const mineLive = !!(me && snap.live && me.pitches.some((p) => p.id === snap.live.id));
    // The pitcher's own phone becomes a confidence monitor: a big countdown and the cues.
    $(".stage").classList.toggle("monitor", mineLive);
    const cue = $("#cue");
    show(cue, mineLive && !!me.cue);
    setText(cue, me && me.cue ? t("moderator_says") + ": " + me.cue : "");
    const status = myStatus();
    const box = $("#my-status");
    show(box, !!status);
    setText(box, status);
    box.dataset.kind = status === t("you_are_on") ? "on" : status === t("you_are_next") ? "next" : "";
    if (status !== lastStatus && status) {
      setText(announce, status);
      if (status === t("you_are_next") && navigator.vibrate) navigator.vibrate([200, 100, 200]);
    }
    lastStatus = status;
    const list = $("#my-pitches");
    const pitches = (me && me.pitches) || [];
    F.render(list, JSON.stringify(pitches), () => pitches.map((p) => el("li", { class: "my-pitch" },
      el("span", { class: "mp-title" }, p.title),
      el("span", { class: "badge status-" + p.status }, t("status_" + p.status)),
      (p.status === "pending" || p.status === "queued")
        ? el("button", {
            type: "button", class: "link",
            onclick: (ev) => F.send("pitch:withdraw", { pitch_id: p.id }, ev.currentTarget),
          }, t("withdraw"))
        : null)));
  }

  function renderVote() {
    const section = $("#vote");
    const open = snap.voting === "open";
    const closedNotRevealed = snap.voting === "closed" && !snap.results;
    show(section, open || closedNotRevealed);
    if (!open) {
      setText($("#dots-left"), closedNotRevealed ? t("voting_closed_wait") : "");
      F.render($("#ballot"), "closed", () => []);
      return;
    }
    const budget = snap.session.dots_per_person;
    const maxPer = snap.session.max_dots_per_pitch;
    const ballot = (me && me.ballot) || {};
    const left = me ? me.dots_left : budget;
    setText($("#dots-left"), t("dots_left", { left, budget }) + (left === 0 ? " " + t("take_back_hint") : ""));
    const mine = new Set(((me && me.pitches) || []).map((p) => p.id));
    const votable = snap.votable;
    const key = JSON.stringify([votable.map((p) => [p.id, p.title, p.pitcher, p.offer]), ballot,
      left, maxPer]);
    F.render($("#ballot"), key, () => votable.map((p) => {
      const dots = ballot[String(p.id)] || 0;
      const own = mine.has(p.id);
      const set = (n) => (ev) => F.send("vote:set", { pitch_id: p.id, dots: n }, ev.currentTarget);
      let controls;
      if (own) {
        controls = el("span", { class: "own" }, t("your_pitch"));
      } else if (maxPer === 1) {
        controls = el("button", {
          type: "button", class: dots ? "dot on" : "dot",
          "aria-pressed": dots ? "true" : "false",
          disabled: !dots && left <= 0,
          onclick: set(dots ? 0 : 1),
        }, dots ? t("dot_given") : t("give_dot"));
      } else {
        controls = el("span", { class: "stepper" },
          el("button", { type: "button", class: "dot", disabled: dots <= 0, onclick: set(dots - 1),
            "aria-label": t("take_dot_from", { title: p.title }) }, "\u2212"),
          el("span", { class: "count" }, String(dots)),
          el("button", { type: "button", class: "dot", disabled: left <= 0 || dots >= maxPer,
            onclick: set(dots + 1), "aria-label": t("give_dot_to", { title: p.title }) }, "+"));
      }
      return el("li", { class: "ballot-item" + (dots ? " voted" : "") },
        el("div", { class: "bi-text" },
          el("span", { class: "bi-title" }, p.title),
          p.title_alt ? el("span", { class: "bi-title-alt" }, p.title_alt) : null,
          el("span", { class: "bi-pitcher" }, p.pitcher + (p.organisation ? " · " + p.organisation : "")),
          p.offer ? el("span", { class: "bi-offer" }, p.offer) : null),
        controls);
    }));
  }

  function renderResults() {
    const rows = snap.results;
    show($("#results"), !!rows);
    if (!rows) return;
    F.render($("#ranking"), JSON.stringify(rows.map((r) => [r.id, r.rank, r.votes, r.title])),
      () => rows.map((r) => el("li", { class: "rank-item" + (r.rank <= 3 && r.votes ? " top" : "") },
        el("span", { class: "rank" }, r.tied ? "=" + r.rank : String(r.rank)),
        el("span", { class: "ri-title" }, r.title),
        el("span", { class: "ri-votes" }, t(r.votes === 1 ? "dots_one" : "dots_many", { n: r.votes })))));
  }

  function renderAll() {
    if (!snap) return;
    renderStage();
    renderMine();
    renderVote();
    renderResults();
    // While voting is open the ballot comes first; otherwise the pitch form.
    $("#app").dataset.voting = snap.voting;
  }

  function stage(s) { snap = s; renderAll(); }
  function onMe(m) {
    if (!m.participant) return refused({ error: "not_joined" });
    me = m;
    show($("#who"), true);
    setText($("#who"), t("joined_as", { name: m.participant.name }));
    renderAll();
  }

  /* ---- proposing a pitch ---- */
  const form = $("#propose-form");
  const counters = () => {
    for (const id of ["p-title", "p-offer"]) {
      const input = $("#" + id);
      setText($(`[data-counter="${id}"]`), `${input.value.length}/${input.maxLength}`);
    }
  };
  form.addEventListener("input", counters);
  counters();
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const error = $("#propose-error");
    const title = form.title.value.trim();
    const offer = form.offer.value.trim();
    const second = { title_alt: form.title_alt.value.trim(), offer_alt: form.offer_alt.value.trim() };
    if (!title || !offer) {
      show(error, true); setText(error, t("pitch_fields_required"));
      return;
    }
    const ack = await F.send("pitch:propose", { title, offer, ...second }, form.querySelector("button[type=submit]"));
    show(error, !ack.ok);
    if (ack.ok) {
      setText(error, "");
      form.reset(); counters();
      F.toast(ack.status === "queued" ? t("pitch_queued") : t("pitch_sent"), "ok");
    } else {
      setText(error, ack.message || t("refused"));
    }
  });

  if (F.page.joined) joined();
  else $("#join-name").focus();
})();
