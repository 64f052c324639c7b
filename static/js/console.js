/* The moderator's console: queue left, stage centre, session right. Works by keyboard. */
(function () {
  "use strict";
  const { el, t, $, $$, setText, show } = F;
  const timer = F.timerView($(".stage-panel .timer"));
  const MODES = ["auto", "lobby", "pitch", "voting", "results", "commitments", "blank"];
  let snap = null;
  let editing = null; // id of the pitch whose row is an edit form

  /* ---- actions ---- */
  // What this console saw live: a second console's "next" in between makes ours refused.
  const expect = () => ({ expect: snap && snap.live ? snap.live.id : 0 });
  const undoable = (ack) => { if (ack.ok && ack.undo) F.toast(t("undo_hint", { action: t("did_" + ack.undo.replace(" ", "_")) }), "ok"); return ack; };
  const actions = {
    primary(btn) {
      if (!snap) return;
      const state = snap.live ? snap.timer.state : "idle";
      if (state === "running") return F.send("timer:pause", {}, btn);
      if (state === "paused") return F.send("timer:resume", {}, btn);
      return F.send("timer:start", expect(), btn);
    },
    "stage:next": (btn) => F.send("stage:next", expect(), btn).then((ack) => {
      if (ack.ok && ack.live === null) F.toast(t("last_pitch_done"), "ok");
    }),
    undo: (btn) => F.send("undo", {}, btn).then((ack) => {
      if (ack.ok) F.toast(t("undone", { action: ack.undone }), "ok");
    }),
    help: () => $("#help").showModal(),
    fit: () => openFit(),
    "screen:cycle": () => {
      const i = MODES.indexOf(snap.settings.screen_mode);
      F.send("screen:mode", { mode: MODES[(i + 1) % MODES.length] });
    },
    "section:next": () => {
      const list = snap.sections;
      if (!list.length) return F.toast(t("no_sections"));
      const i = snap.section ? list.findIndex((x) => x.id === snap.section.id) : -1;
      if (i + 1 >= list.length) return F.toast(t("last_section"));
      F.send("section:set", { section_id: list[i + 1].id });
    },
    "cue:focus": () => $("#cue-text").focus(),
    "cue:clear": (btn) => Promise.all([
      F.send("cue:screen", { text: "" }, btn),
      snap && snap.live ? F.send("cue:pitcher", { text: "" }) : null,
    ]),
    "timer:plus": (btn) => F.send("timer:adjust", { seconds: 30 }, btn),
    "timer:minus": (btn) => F.send("timer:adjust", { seconds: -30 }, btn),
    "timer:reset": (btn) => F.send("timer:reset", {}, btn).then(undoable),
    "voting:toggle": (btn) => F.send(snap && snap.voting === "open" ? "voting:close" : "voting:open", {}, btn).then(undoable),
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
    m: "screen:cycle", u: "undo", "?": "help", f: "fit", s: "section:next", c: "cue:focus",
  };
  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const tag = ev.target.tagName;
    if (["INPUT", "TEXTAREA", "SELECT"].includes(tag) || ev.target.isContentEditable) return;
    if (document.querySelector("dialog[open]")) return; // a dialog has the keyboard
    const name = KEYS[ev.key.toLowerCase()];
    if (!name) return;
    // Space is always the primary action (start / pause / resume), even on a focused button;
    // Enter still presses the focused button.
    ev.preventDefault();
    if (!snap) return;
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
    const fk = (name) => ({ fkey: name + "-" + p.id });
    const sendUndoable = (event, payload) => (ev) => F.send(event, payload, ev.currentTarget).then(undoable);
    const buttons = [];
    if (p.status === "pending") {
      buttons.push(el("button", { type: "button", class: "primary", dataset: fk("accept"), onclick: send("pitch:accept", { pitch_id: p.id }) }, t("accept")));
    } else {
      buttons.push(
        el("button", { type: "button", class: "icon", dataset: fk("up"), "aria-label": t("move_up", { title: p.title }), disabled: index === 0, onclick: send("pitch:move", { pitch_id: p.id, index: index - 1 }) }, "\u2191"),
        el("button", { type: "button", class: "icon", dataset: fk("down"), "aria-label": t("move_down", { title: p.title }), disabled: index === count - 1, onclick: send("pitch:move", { pitch_id: p.id, index: index + 1 }) }, "\u2193"));
      if (p.status === "queued") buttons.push(el("button", { type: "button", onclick: sendUndoable("pitch:mark", { pitch_id: p.id, status: "skipped" }) }, t("skip")));
      if (p.status === "live") buttons.push(el("button", { type: "button", onclick: send("pitch:mark", { pitch_id: p.id, status: "done" }) }, t("mark_done")));
      if (p.status === "done" || p.status === "skipped") buttons.push(el("button", { type: "button", onclick: send("pitch:mark", { pitch_id: p.id, status: "queued" }) }, t("requeue")));
    }
    buttons.push(
      el("button", { type: "button", dataset: fk("edit"), onclick: () => { editing = p.id; renderQueue(); } }, t("edit")),
      el("button", { type: "button", class: "danger", "aria-label": t("remove_title", { title: p.title }), onclick: sendUndoable("pitch:remove", { pitch_id: p.id }) }, t("remove")));
    return el("span", { class: "row-actions" }, buttons);
  }

  function editForm(p) {
    const input = (name, label, value, attrs) => [
      el("label", { for: `e-${name}` }, label),
      el(name.startsWith("offer") ? "textarea" : "input", { id: `e-${name}`, name, ...attrs }, name.startsWith("offer") ? value : null),
    ];
    const form = el("form", { class: "stack edit-form", novalidate: true },
      input("pitcher", t("pitcher"), "", { maxlength: 60, value: p.pitcher }),
      input("organisation", t("organisation"), "", { maxlength: 80, value: p.organisation }),
      input("title", t("title"), "", { maxlength: 80, value: p.title }),
      input("offer", t("offer"), p.offer, { maxlength: 280, rows: 2 }),
      input("title_alt", t("title_alt"), "", { maxlength: 80, value: p.title_alt }),
      input("offer_alt", t("offer_alt"), p.offer_alt, { maxlength: 280, rows: 2 }),
      input("seconds", t("length_seconds"), "", { type: "number", min: 10, max: 3600, step: 10, value: p.seconds }),
      el("span", { class: "row-actions" },
        el("button", { type: "submit", class: "primary" }, t("save")),
        el("button", { type: "button", onclick: () => { editing = null; renderQueue(); } }, t("cancel"))));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const payload = {
        pitch_id: p.id, pitcher: form.pitcher.value, organisation: form.organisation.value,
        title: form.title.value, offer: form.offer.value,
        title_alt: form.title_alt.value, offer_alt: form.offer_alt.value,
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
    const fit = snap.schedule.fit;
    const waiting = snap.schedule.waiting;
    // The cut line: where the waiting pitches stop fitting into the section's time left.
    const out = fit && !fit.fits ? waiting.slice(fit.fitting) : [];
    F.render($("#queue"), JSON.stringify([list, editing, out]), () => list.flatMap((p, i) => {
      const r = row(p, i, list.length);
      if (!out.includes(p.id)) return [r];
      r.classList.add("below-cut");
      if (p.id !== out[0]) return [r];
      return [el("li", { class: "cut-line" }, t(out.length === 1 ? "cut_line_one" : "cut_line", { n: out.length })), r];
    }));
    show($("#queue-empty"), list.length === 0 && snap.pending.length === 0);
    setText($("#queue-count"), t("waiting_count", { n: waiting.length }));
    renderFit();
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

  /* ---- time keeping ---- */
  function duration(ms) {
    return ms < 0 ? t("over_by", { time: F.fmt(-ms).replace("+", "") }) : F.fmt(ms);
  }

  function renderFit() {
    const fit = snap.schedule.fit;
    const box = $("#fit");
    show(box, !!fit && snap.schedule.waiting.length > 0);
    if (!fit) return;
    const need = F.fmt(fit.needed_ms);
    const have = F.fmt(Math.max(0, fit.available_ms));
    let text;
    if (fit.fits) text = t("fit_ok", { need, have });
    else if (fit.proposal_seconds) text = t("fit_proposal", { need, have, each: F.fmt(fit.proposal_seconds * 1000) });
    else text = t("fit_impossible", { n: fit.left_out, floor: F.fmt(snap.schedule.floor_seconds * 1000) });
    setText($("#fit-text"), text);
    box.dataset.state = fit.fits ? "ok" : "over";
    const btn = $("#btn-fit");
    show(btn, !fit.fits && !!fit.proposal_seconds);
    setText($("#btn-fit [data-label]"), fit.proposal_seconds ? t("fit_button", { each: F.fmt(fit.proposal_seconds * 1000) }) : "");
  }

  function openFit() {
    const fit = snap && snap.schedule.fit;
    if (!fit || fit.fits || !fit.proposal_seconds) return F.toast(fit && fit.fits ? t("fit_nothing") : t("fit_unavailable"));
    const seconds = fit.proposal_seconds;
    setText($("#fit-dialog-text"), t("fit_confirm", { n: snap.schedule.waiting.length, each: F.fmt(seconds * 1000) }));
    const dialog = $("#fit-dialog");
    dialog.returnValue = "";
    dialog.showModal();
    dialog.addEventListener("close", () => {
      if (dialog.returnValue === "confirm") {
        F.send("schedule:fit", { seconds }).then((ack) => ack.ok && F.toast(t("fit_done"), "ok"));
      }
    }, { once: true });
  }

  function renderSchedule() {
    const sc = snap.schedule;
    // The snapshot's "time left" figures were true at server_now; they keep counting here.
    const since = F.now() - snap.server_now;
    setText($("#sched-section"), snap.section ? snap.section.title : t("no_section"));
    const secLeft = $("#sched-section-left");
    const sectionLeft = sc.section_left_ms === null ? null : sc.section_left_ms - since;
    setText(secLeft, sectionLeft === null ? "–" : duration(sectionLeft));
    secLeft.dataset.over = sectionLeft !== null && sectionLeft < 0 ? "yes" : "no";
    setText($("#sched-session-left"), sc.session_left_ms === null ? t("no_end_time") : duration(sc.session_left_ms - since));
    const pace = $("#sched-pace");
    const b = sc.behind_ms;
    pace.dataset.pace = b === null ? "" : b > 15000 ? "behind" : b < -15000 ? "ahead" : "on";
    setText(pace, b === null ? "–" : b > 15000 ? t("behind", { time: F.fmt(b) }) : b < -15000 ? t("ahead", { time: F.fmt(-b) }) : t("on_time"));
    const undo = snap.undo;
    const btn = $("#btn-undo");
    show(btn, !!undo);
    if (undo) setText($("#btn-undo [data-label]"), t("undo_what", { action: t("did_" + undo.action.replace(" ", "_")) }));
  }

  let editingSection = null;
  function renderSections() {
    const list = snap.sections;
    const current = snap.section ? snap.section.id : null;
    F.render($("#sections"), JSON.stringify([list, current, editingSection]), () => list.length ? list.map((x) => {
      if (editingSection === x.id) {
        const form = el("form", { class: "stack edit-form" },
          el("label", { for: "es-title" }, t("title")), el("input", { id: "es-title", name: "title", value: x.title, maxlength: 120 }),
          el("label", { for: "es-minutes" }, t("minutes_label")), el("input", { id: "es-minutes", name: "minutes", type: "number", min: 1, max: 600, value: x.minutes }),
          el("span", { class: "row-actions" }, el("button", { type: "submit", class: "primary" }, t("save")),
            el("button", { type: "button", onclick: () => { editingSection = null; renderSections(); } }, t("cancel"))));
        form.addEventListener("submit", async (ev) => {
          ev.preventDefault();
          const ack = await F.send("section:edit", { section_id: x.id, title: form.title.value, minutes: Number(form.minutes.value) }, form.querySelector("[type=submit]"));
          if (ack.ok) { editingSection = null; renderSections(); }
        });
        return el("li", { class: "section-row editing" }, form);
      }
      const status = x.id === current ? t("section_now") : x.ended_at ? t("section_done", { time: F.fmt(x.ended_at - x.started_at) }) : "";
      return el("li", { class: "section-row" + (x.id === current ? " current" : "") },
        el("span", { class: "sec-main" }, el("span", { class: "sec-title" }, x.title),
          el("span", { class: "sec-meta" }, t("kind_" + x.kind) + " · " + t("minutes", { n: x.minutes }) + (status ? " · " + status : ""))),
        el("span", { class: "row-actions" },
          x.id === current ? null : el("button", { type: "button", onclick: (ev) => F.send("section:set", { section_id: x.id }, ev.currentTarget) }, t("go_to_section")),
          el("button", { type: "button", onclick: () => { editingSection = x.id; renderSections(); } }, t("edit")),
          x.id === current ? null : el("button", { type: "button", class: "danger", onclick: (ev) => F.send("section:remove", { section_id: x.id }, ev.currentTarget) }, t("remove"))));
    }) : [el("li", { class: "empty" }, t("no_agenda"))]);
    const form = $("#times-form");
    if (!form.contains(document.activeElement)) {
      form.start.value = timeOfDay(snap.schedule.planned_start);
      form.end.value = timeOfDay(snap.schedule.planned_end);
    }
  }
  function timeOfDay(ms) {
    if (!ms) return "";
    const d = new Date(ms);
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }

  function renderReport() {
    const r = snap.report;
    const line = (name, planned, actual, over) => el("tr", { class: over ? "over" : "" },
      el("th", { scope: "row" }, name), el("td", {}, F.fmt(planned)),
      el("td", {}, actual === null ? "–" : F.fmt(actual) + (over ? " (" + t("over_by", { time: F.fmt(over) }) + ")" : "")));
    F.render($("#report-sections tbody"), JSON.stringify(r.sections.map((x) => [x.id, x.actual_ms === null ? null : Math.round(x.actual_ms / 1000), x.title])),
      () => r.sections.map((x) => line(x.title, x.planned_ms, x.actual_ms, x.actual_ms > x.planned_ms ? x.actual_ms - x.planned_ms : 0)));
    F.render($("#report-pitches tbody"), JSON.stringify(r.pitches), () => r.pitches.length
      ? r.pitches.map((x) => line(x.title + " (" + x.pitcher + ")", x.planned_ms, x.actual_ms, x.overrun_ms))
      : [el("tr", {}, el("td", { colspan: 3, class: "empty" }, t("no_pitch_run")))]);
    F.render($("#log"), JSON.stringify(snap.log.map((e) => [e.at, e.undone])), () => snap.log.map((e) => el("li", { class: e.undone ? "undone" : "" },
      el("time", {}, new Date(e.at).toLocaleTimeString(document.documentElement.lang)), " ", el("strong", {}, e.action), e.detail ? " " + e.detail : "", e.undone ? " (" + t("undone_mark") + ")" : "")));
  }

  function renderCues() {
    const parts = [];
    if (snap.message) parts.push(t("cue_on_screen", { text: snap.message }));
    if (snap.pitcher_message) parts.push(t("cue_on_phone", { text: snap.pitcher_message }));
    setText($("#cue-now"), parts.join(" · "));
    $("#cue-form").querySelector('[value="pitcher"]').disabled = !snap.live;
  }

  /* ---- stage and session ---- */
  function renderStage() {
    const live = snap.live;
    setText($('#live [data-field="pitcher"]'), live ? live.pitcher + (live.organisation ? " · " + live.organisation : "") : "");
    setText($('#live [data-field="title"]'), live ? live.title : (snap.next ? t("ready_to_start") : t("queue_done")));
    setText($('#live [data-field="offer"]'), live ? live.offer : "");
    setText($('#live [data-field="title_alt"]'), live ? live.title_alt : "");
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
    const rows = snap.results;
    setText($("#method-name"), t("method_" + snap.method));
    F.render($("#tally"), JSON.stringify([snap.method, rows.map((r) => [r.id, r.score, r.rank, r.title, r.impact, r.ease, r.interest])]), () => rows.length
      ? rows.map((r) => el("li", { class: r.tied ? "tied" : "" },
        el("span", { class: "rank" }, r.tied ? "=" + r.rank : String(r.rank)),
        el("span", { class: "t-title" }, r.title,
          el("span", { class: "t-sub" }, [
            snap.method === "matrix" && r.impact !== null ? t("impact") + " " + r.impact + " · " + t("ease") + " " + (r.ease === null ? "–" : r.ease) : "",
            r.interest ? t(r.interest === 1 ? "interested_one" : "interested_many", { n: r.interest }) : "",
          ].filter(Boolean).join(" · "))),
        el("span", { class: "t-votes" }, F.scoreText(snap.method, r))))
      : [el("li", { class: "empty" }, t("no_votes_yet"))]);
    renderCommitments();
    const form = $("#settings-form");
    if (!form.contains(document.activeElement)) {
      form.pitch_seconds.value = snap.settings.pitch_seconds;
      form.dots_per_person.value = snap.settings.dots_per_person;
      form.max_dots_per_pitch.value = snap.settings.max_dots_per_pitch;
      form.auto_accept.checked = snap.settings.auto_accept;
      form.overrun_policy.value = snap.settings.overrun_policy;
      form.overrun_grace_seconds.value = snap.settings.overrun_grace_seconds;
      form.changeover_seconds.value = snap.settings.changeover_seconds;
      form.fit_floor_seconds.value = snap.settings.fit_floor_seconds;
      form.chime.checked = snap.settings.chime;
      form.screen_language.value = snap.settings.screen_language;
      form.voting_method.value = snap.settings.voting_method;
      form.voting_round.value = snap.settings.voting_round;
      form.rating_window_seconds.value = snap.settings.rating_window_seconds;
      form.results_live.checked = snap.settings.results_live;
    }
  }

  /* ---- commitments: quick wins turned into who does what by when ---- */
  function renderCommitments() {
    const rows = snap.commitments;
    setText($("#commitment-count"), rows.length ? "(" + rows.length + ")" : "");
    F.render($("#commitment-list"), JSON.stringify(rows), () => rows.map((c) => el("li", { class: "commitment" },
      el("span", { class: "c-title" }, c.title),
      el("span", { class: "c-meta" }, [c.owners.join(", "), c.next_step, c.due, t("status_" + c.status)].filter(Boolean).join(" · ")),
      el("span", { class: "row-actions" },
        el("button", { type: "button", class: "link", onclick: () => editCommitment(c) }, t("edit")),
        el("button", { type: "button", class: "link", "aria-label": t("remove_title", { title: c.title }),
          onclick: (ev) => F.send("commitment:remove", { pitch_id: c.pitch_id }, ev.currentTarget) }, t("remove"))))));
    const form = $("#commitment-form");
    const chosen = form.pitch_id.value;
    F.render(form.pitch_id, JSON.stringify(snap.results.map((r) => [r.id, r.title, r.rank])), () =>
      snap.results.map((r) => el("option", { value: String(r.id) }, r.rank + ". " + r.title)));
    if (chosen) form.pitch_id.value = chosen;
    F.render($("#people"), JSON.stringify(snap.people), () => snap.people.map((p) => el("option", { value: p.name })));
  }
  function editCommitment(c) {
    const form = $("#commitment-form");
    form.pitch_id.value = String(c.pitch_id);
    form.owners.value = c.owners.join(", ");
    form.next_step.value = c.next_step;
    form.due.value = c.due;
    form.status.value = c.status;
    form.owners.focus();
  }
  $("#commitment-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    // A name that is a participant's becomes that participant; anything else stays free text.
    const byName = new Map(snap.people.map((p) => [p.name.toLowerCase(), p.id]));
    const owners = f.owners.value.split(",").map((x) => x.trim()).filter(Boolean).map((name) =>
      byName.has(name.toLowerCase()) ? { participant_id: byName.get(name.toLowerCase()) } : { name });
    const ack = await F.send("commitment:set", { pitch_id: Number(f.pitch_id.value), owners,
      next_step: f.next_step.value.trim(), due: f.due.value, status: f.status.value }, f.querySelector("button"));
    if (ack.ok) { f.owners.value = ""; f.next_step.value = ""; f.due.value = ""; F.toast(t("commitment_saved"), "ok"); }
  });

  $("#settings-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    const ack = await F.send("session:settings", {
      pitch_seconds: Number(f.pitch_seconds.value), dots_per_person: Number(f.dots_per_person.value),
      max_dots_per_pitch: Number(f.max_dots_per_pitch.value), auto_accept: f.auto_accept.checked,
      overrun_policy: f.overrun_policy.value, overrun_grace_seconds: Number(f.overrun_grace_seconds.value),
      changeover_seconds: Number(f.changeover_seconds.value), fit_floor_seconds: Number(f.fit_floor_seconds.value),
      chime: f.chime.checked, screen_language: f.screen_language.value,
      voting_round: f.voting_round.value, results_live: f.results_live.checked,
      rating_window_seconds: Number(f.rating_window_seconds.value),
      ...(f.voting_method.value !== snap.settings.voting_method ? { voting_method: f.voting_method.value } : {}),
    }, f.querySelector("button"));
    if (ack.ok) F.toast(t("saved"), "ok");
  });

  $("#times-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    const ack = await F.send("agenda:times", { start: f.start.value, end: f.end.value }, f.querySelector("button"));
    if (ack.ok) F.toast(t("saved"), "ok");
  });

  $("#section-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    const ack = await F.send("section:add", { title: f.title.value, kind: f.kind.value, minutes: Number(f.minutes.value) }, f.querySelector("button"));
    if (ack.ok) { f.title.value = ""; F.toast(t("saved"), "ok"); }
  });

  const cueForm = $("#cue-form");
  cueForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const target = ev.submitter && ev.submitter.value === "pitcher" ? "pitcher" : "screen";
    const text = cueForm.text.value.trim();
    if (!text) return F.toast(t("cue_empty"));
    const ack = await F.send("cue:" + target, { text }, ev.submitter);
    if (ack.ok) { cueForm.text.value = ""; F.toast(t("cue_sent"), "ok"); }
  });
  cueForm.addEventListener("click", (ev) => {
    const quick = ev.target.closest("[data-cue]");
    if (!quick) return;
    cueForm.text.value = quick.dataset.cue;
    cueForm.text.focus();
  });

  $("#add-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    const payload = { pitcher: f.pitcher.value, organisation: f.organisation.value, title: f.title.value, offer: f.offer.value, title_alt: f.title_alt.value, offer_alt: f.offer_alt.value };
    if (f.seconds.value !== "") payload.seconds = Number(f.seconds.value);
    const ack = await F.send("pitch:add", payload, f.querySelector("button"));
    if (ack.ok) { f.reset(); f.pitcher.focus(); F.toast(t("pitch_added"), "ok"); }
  });

  function stage(s) {
    snap = s;
    renderQueue();
    renderStage();
    renderSession();
    renderSchedule();
    renderSections();
    renderReport();
    renderCues();
  }

  function clock() {
    if (snap) renderSchedule();
    setText($("#clock"), new Date(F.now()).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit", second: "2-digit" }));
  }
  F.every(clock, 1000);
  clock();

  // Coalesced while votes come in: head counts and the tally, no more.
  function counts(c) {
    if (!snap || c.rev < snap.rev) return;
    snap = { ...snap, counts: { participants: c.participants, ballots: c.ballots, interest: c.interest }, results: c.results };
    renderSession();
  }

  F.connect("console", {
    stage,
    counts,
    refused: (data) => {
      if (data.error === "unknown_session") return F.gone();
      // This browser's grant no longer opens the console: the link was replaced.
      if (data.error === "forbidden") return F.final("console_signed_out");
      F.toast(data.message || t("refused"));
    },
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
