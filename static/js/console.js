/* The moderator's console: queue left, stage centre, session right. Works by keyboard. */
(function () {
  "use strict";
  const { el, t, $, $$, setText, show } = F;
  const timer = F.timerView($(".stage-panel .timer"));
  const MODES = ["auto", "lobby", "pitch", "voting", "results", "blank"];
  let snap = null;
  let editing = null; // id of the pitch whose row is an edit form

  /* ---- actions ---- */
  const actions = {
    primary(btn) {
      if (!snap) return;
      const state = snap.live ? snap.timer.state : "idle";
      const event = state === "running" ? "timer:pause" : state === "paused" ? "timer:resume" : "timer:start";
      return F.send(event, {}, btn);
    },
    "stage:next": (btn) => F.send("stage:next", {}, btn).then((ack) => {
      if (ack.ok && ack.live === null) F.toast(t("last_pitch_done"), "ok");
    }),
    "timer:plus": (btn) => F.send("timer:adjust", { seconds: 30 }, btn),
    "timer:minus": (btn) => F.send("timer:adjust", { seconds: -30 }, btn),
    "timer:reset": (btn) => F.send("timer:reset", {}, btn),
    "voting:toggle": (btn) => F.send(snap && snap.voting === "open" ? "voting:close" : "voting:open", {}, btn),
    "results:toggle": (btn) => F.send("results:reveal", { revealed: !(snap && snap.revealed) }, btn),
    "screen:blank": () => F.send("screen:mode", { mode: snap && snap.settings.screen_mode === "blank" ? "auto" : "blank" }),
  };
  document.addEventListener("click", (ev) => {
    const btn = ev.target.closest("[data-action]");
    if (btn && actions[btn.dataset.action]) actions[btn.dataset.action](btn);
  });

  const KEYS = {
    " ": "primary", n: "stage:next", "]": "timer:plus", "[": "timer:minus", "+": "timer:plus",
    "-": "timer:minus", r: "timer:reset", v: "voting:toggle", e: "results:toggle", b: "screen:blank",
  };
  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const tag = ev.target.tagName;
    if (["INPUT", "TEXTAREA", "SELECT"].includes(tag) || ev.target.isContentEditable) return;
    const name = KEYS[ev.key.toLowerCase()];
    if (!name) return;
    // Space is always the primary action (start / pause / resume), even on a focused button;
    // Enter still presses the focused button.
    ev.preventDefault();
    const btn = $(`[data-action="${name}"]`);
    if (btn) { btn.classList.add("pressed"); setTimeout(() => btn.classList.remove("pressed"), 150); }
    actions[name](btn);
  });

  /* ---- the queue ---- */
  function minutes(seconds) {
    return seconds % 60 ? F.fmt(seconds * 1000) : t("minutes", { n: seconds / 60 });
  }

  function rowButtons(p, index, count) {
    const send = (event, payload) => (ev) => F.send(event, payload, ev.currentTarget);
    const buttons = [];
    if (p.status === "pending") {
      buttons.push(el("button", { type: "button", class: "primary", onclick: send("pitch:accept", { pitch_id: p.id }) }, t("accept")));
    } else {
      buttons.push(
        el("button", { type: "button", class: "icon", "aria-label": t("move_up", { title: p.title }), disabled: index === 0, onclick: send("pitch:move", { pitch_id: p.id, index: index - 1 }) }, "\u2191"),
        el("button", { type: "button", class: "icon", "aria-label": t("move_down", { title: p.title }), disabled: index === count - 1, onclick: send("pitch:move", { pitch_id: p.id, index: index + 1 }) }, "\u2193"));
      if (p.status === "queued") buttons.push(el("button", { type: "button", onclick: send("pitch:mark", { pitch_id: p.id, status: "skipped" }) }, t("skip")));
      if (p.status === "live") buttons.push(el("button", { type: "button", onclick: send("pitch:mark", { pitch_id: p.id, status: "done" }) }, t("mark_done")));
      if (p.status === "done" || p.status === "skipped") buttons.push(el("button", { type: "button", onclick: send("pitch:mark", { pitch_id: p.id, status: "queued" }) }, t("requeue")));
    }
    buttons.push(
      el("button", { type: "button", onclick: () => { editing = p.id; renderQueue(); } }, t("edit")),
      el("button", { type: "button", class: "danger", "aria-label": t("remove_title", { title: p.title }), onclick: send("pitch:remove", { pitch_id: p.id }) }, t("remove")));
    return el("span", { class: "row-actions" }, buttons);
  }

  function editForm(p) {
    const input = (name, label, value, attrs) => [
      el("label", { for: `e-${name}` }, label),
      el(name === "offer" ? "textarea" : "input", { id: `e-${name}`, name, ...attrs }, name === "offer" ? value : null),
    ];
    const form = el("form", { class: "stack edit-form", novalidate: true },
      input("pitcher", t("pitcher"), "", { maxlength: 60, value: p.pitcher }),
      input("organisation", t("organisation"), "", { maxlength: 80, value: p.organisation }),
      input("title", t("title"), "", { maxlength: 80, value: p.title }),
      input("offer", t("offer"), p.offer, { maxlength: 280, rows: 2 }),
      input("seconds", t("length_seconds"), "", { type: "number", min: 10, max: 3600, step: 10, value: p.seconds }),
      el("span", { class: "row-actions" },
        el("button", { type: "submit", class: "primary" }, t("save")),
        el("button", { type: "button", onclick: () => { editing = null; renderQueue(); } }, t("cancel"))));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const payload = {
        pitch_id: p.id, pitcher: form.pitcher.value, organisation: form.organisation.value,
        title: form.title.value, offer: form.offer.value,
        seconds: form.seconds.value === "" ? null : Number(form.seconds.value),
      };
      const ack = await F.send("pitch:edit", payload, form.querySelector("[type=submit]"));
      if (ack.ok) { editing = null; renderQueue(); }
    });
    return form;
  }

  function row(p, index, count) {
    if (editing === p.id) return el("li", { class: "row editing" }, editForm(p));
    const li = el("li", {
        class: `row status-${p.status}`, draggable: p.status !== "pending" ? "true" : null,
        dataset: { id: p.id, index },
      },
      el("span", { class: "grip", "aria-hidden": "true" }, "\u2630"),
      el("span", { class: "row-main" },
        el("span", { class: "row-title" }, p.title),
        el("span", { class: "row-meta" }, p.pitcher + (p.organisation ? " · " + p.organisation : "") + " · " + minutes(p.seconds))),
      el("span", { class: "badge status-" + p.status }, t("status_" + p.status)),
      rowButtons(p, index, count));
    return li;
  }

  function renderQueue() {
    if (!snap) return;
    const list = snap.queue;
    F.render($("#queue"), JSON.stringify([list, editing]), () => list.map((p, i) => row(p, i, list.length)));
    show($("#queue-empty"), list.length === 0 && snap.pending.length === 0);
    const waiting = list.filter((p) => p.status === "queued").length;
    setText($("#queue-count"), t("waiting_count", { n: waiting }));
    show($("#pending"), snap.pending.length > 0);
    F.render($("#pending-list"), JSON.stringify([snap.pending, editing]),
      () => snap.pending.map((p, i) => row(p, i, snap.pending.length)));
  }

  // Drag to reorder (the arrow buttons do the same by keyboard).
  let dragId = null;
  const queueEl = $("#queue");
  queueEl.addEventListener("dragstart", (ev) => {
    const li = ev.target.closest("li[data-id]");
    if (!li) return;
    dragId = Number(li.dataset.id);
    ev.dataTransfer.effectAllowed = "move";
    li.classList.add("dragging");
  });
  queueEl.addEventListener("dragover", (ev) => { if (dragId !== null) ev.preventDefault(); });
  queueEl.addEventListener("drop", (ev) => {
    ev.preventDefault();
    const li = ev.target.closest("li[data-id]");
    if (li && dragId !== null && Number(li.dataset.id) !== dragId) {
      F.send("pitch:move", { pitch_id: dragId, index: Number(li.dataset.index) });
    }
    dragId = null;
  });
  queueEl.addEventListener("dragend", () => { dragId = null; $$(".dragging").forEach((n) => n.classList.remove("dragging")); });

  /* ---- stage and session ---- */
  function renderStage() {
    const live = snap.live;
    setText($('#live [data-field="pitcher"]'), live ? live.pitcher + (live.organisation ? " · " + live.organisation : "") : "");
    setText($('#live [data-field="title"]'), live ? live.title : (snap.next ? t("ready_to_start") : t("queue_done")));
    setText($('#live [data-field="offer"]'), live ? live.offer : "");
    timer.set(live ? snap.timer : { state: "idle", total_ms: snap.session.pitch_seconds * 1000, remaining_ms: (snap.next ? snap.next.seconds : snap.session.pitch_seconds) * 1000 });
    const state = live ? snap.timer.state : "idle";
    setText($("#btn-primary [data-label]"), state === "running" ? t("pause") : state === "paused" ? t("resume") : live ? t("start") : t("start_first"));
    $("#btn-primary").disabled = !live && !snap.next;
    $("#btn-next").disabled = !live && !snap.next;
    $$('.controls.secondary button').forEach((b) => { b.disabled = !live; });
    setText($('.stage-panel [data-field="next"]'), snap.next ? t("next_is", { title: snap.next.title, pitcher: snap.next.pitcher }) : t("nobody_next"));
  }

  function renderSession() {
    setText($('[data-count="participants"]'), String(snap.counts.participants));
    setText($('[data-count="ballots"]'), String(snap.counts.ballots));
    setText($("#voting-state"), t("voting_" + snap.voting) + (snap.revealed ? " · " + t("revealed") : ""));
    setText($("#btn-voting [data-label]"), snap.voting === "open" ? t("close_voting") : snap.voting === "closed" ? t("reopen_voting") : t("open_voting"));
    setText($("#btn-reveal [data-label]"), snap.revealed ? t("hide_results") : t("reveal_results"));
    $("#btn-reveal").disabled = snap.voting === "idle";
    const current = snap.settings.screen_mode;
    F.render($("#screen-modes"), current + "|" + snap.mode, () => MODES.map((m) => el("button", {
      type: "button", "aria-pressed": m === current ? "true" : "false",
      onclick: (ev) => F.send("screen:mode", { mode: m }, ev.currentTarget),
    }, m === "auto" ? t("mode_auto", { mode: t("mode_name_" + snap.mode) }) : t("mode_name_" + m))));
    const select = $("#section-select");
    F.render(select, JSON.stringify([snap.sections, snap.section && snap.section.id]), () => [
      el("option", { value: "" }, t("no_section")),
      ...snap.sections.map((s) => el("option", { value: s.id, selected: snap.section && snap.section.id === s.id }, `${s.title} (${t("minutes", { n: s.minutes })})`)),
    ]);
    show(select.previousElementSibling, snap.sections.length > 0);
    show(select, snap.sections.length > 0);
    const rows = snap.results;
    F.render($("#tally"), JSON.stringify(rows.map((r) => [r.id, r.votes, r.rank, r.title])), () => rows.length
      ? rows.map((r) => el("li", { class: r.tied ? "tied" : "" },
        el("span", { class: "rank" }, r.tied ? "=" + r.rank : String(r.rank)),
        el("span", { class: "t-title" }, r.title),
        el("span", { class: "t-votes" }, String(r.votes))))
      : [el("li", { class: "empty" }, t("no_votes_yet"))]);
    const form = $("#settings-form");
    if (!form.contains(document.activeElement)) {
      form.pitch_seconds.value = snap.settings.pitch_seconds;
      form.dots_per_person.value = snap.settings.dots_per_person;
      form.max_dots_per_pitch.value = snap.settings.max_dots_per_pitch;
      form.auto_accept.checked = snap.settings.auto_accept;
    }
  }

  $("#section-select").addEventListener("change", (ev) => {
    const v = ev.target.value;
    F.send("section:set", { section_id: v ? Number(v) : null });
  });

  $("#settings-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    const ack = await F.send("session:settings", {
      pitch_seconds: Number(f.pitch_seconds.value), dots_per_person: Number(f.dots_per_person.value),
      max_dots_per_pitch: Number(f.max_dots_per_pitch.value), auto_accept: f.auto_accept.checked,
    }, f.querySelector("button"));
    if (ack.ok) F.toast(t("saved"), "ok");
  });

  $("#add-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    const payload = { pitcher: f.pitcher.value, organisation: f.organisation.value, title: f.title.value, offer: f.offer.value };
    if (f.seconds.value !== "") payload.seconds = Number(f.seconds.value);
    const ack = await F.send("pitch:add", payload, f.querySelector("button"));
    if (ack.ok) { f.reset(); f.pitcher.focus(); F.toast(t("pitch_added"), "ok"); }
  });

  function stage(s) {
    snap = s;
    renderQueue();
    renderStage();
    renderSession();
  }

  function clock() {
    setText($("#clock"), new Date(F.now()).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit", second: "2-digit" }));
  }
  setInterval(clock, 1000);
  clock();

  F.connect("console", {
    stage,
    refused: (data) => F.toast(data.message || t("refused")),
  });
})();

/* The screen preview: a real screen page, scaled to the panel's width. */
(function () {
  const box = document.querySelector(".preview");
  if (!box || !window.ResizeObserver) return;
  new ResizeObserver(() => {
    box.style.setProperty("--preview-scale", (box.clientWidth / 1920).toFixed(4));
  }).observe(box);
})();
