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
    if (!F.socket) F.connect("phone", { stage, me: onMe, ballot: onBallot, refused });
    else F.socket.connect();
  }

  function refused(data) {
    if (data && data.error === "unknown_session") return F.gone();
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
        : null,
      p.status === "pending" ? null : el("div", { class: "interested" },
        el("p", { class: "interested-count" }, p.interested.length
          ? t(p.interested.length === 1 ? "interested_one" : "interested_many", { n: p.interested.length })
          : t("interested_none")),
        el("ul", { class: "people" }, p.interested.map((x) => el("li", {},
          el("span", { class: "person-name" }, x.name + (x.organisation ? " · " + x.organisation : "")),
          x.email ? el("a", { href: "mailto:" + x.email }, x.email) : null,
          x.phone ? el("a", { href: "tel:" + x.phone.replace(/[^0-9+]/g, "") }, x.phone) : null)))))));
  }

  /* ---- voting: one control per method ---- */
  const mineIds = () => new Set(((me && me.pitches) || []).map((p) => p.id));

  function ratingRow(p, what, value) {
    return el("div", { class: "rate-row", role: "group", "aria-label": t(what) + ": " + p.title },
      el("span", { class: "rate-label" }, t(what)),
      el("span", { class: "rate-buttons" }, [1, 2, 3, 4, 5].map((n) => el("button", {
        type: "button", class: "rate" + (value === n ? " on" : ""),
        "aria-pressed": value === n ? "true" : "false",
        "aria-label": t("rate_value", { what: t(what), n, title: p.title }),
        onclick: (ev) => F.send("rating:set", { pitch_id: p.id, [what]: value === n ? 0 : n }, ev.currentTarget),
      }, String(n)))));
  }

  function ballotControls(p, left) {
    const method = snap.method;
    const own = mineIds().has(p.id);
    if (own) return el("span", { class: "own" }, t("your_pitch"));
    if (method === "matrix") {
      const r = (me && me.ratings && me.ratings[String(p.id)]) || { impact: 0, ease: 0 };
      return el("div", { class: "rate-rows" }, ratingRow(p, "impact", r.impact), ratingRow(p, "ease", r.ease));
    }
    const dots = ((me && me.ballot) || {})[String(p.id)] || 0;
    const set = (n) => async (ev) => {
      const ack = await F.send("vote:set", { pitch_id: p.id, dots: n }, ev.currentTarget);
      if (ack.ok) onBallot(ack);
    };
    const maxPer = method === "approval" ? 1 : snap.session.max_dots_per_pitch;
    if (maxPer === 1) {
      const label = method === "approval" ? (dots ? t("approved") : t("approve")) : (dots ? t("dot_given") : t("give_dot"));
      return el("button", {
        type: "button", class: dots ? "dot on" : "dot", "aria-pressed": dots ? "true" : "false",
        disabled: !dots && left !== null && left <= 0, onclick: set(dots ? 0 : 1),
      }, label);
    }
    return el("span", { class: "stepper" },
      el("button", { type: "button", class: "dot", disabled: dots <= 0, onclick: set(dots - 1),
        "aria-label": t("take_dot_from", { title: p.title }) }, "\u2212"),
      el("span", { class: "count" }, String(dots)),
      el("button", { type: "button", class: "dot", disabled: left <= 0 || dots >= maxPer,
        onclick: set(dots + 1), "aria-label": t("give_dot_to", { title: p.title }) }, "+"));
  }

  function ballotItem(p, left) {
    const voted = snap.method === "matrix"
      ? !!(me && me.ratings && me.ratings[String(p.id)])
      : !!(((me && me.ballot) || {})[String(p.id)]);
    return el("li", { class: "ballot-item" + (voted ? " voted" : "") + (snap.method === "matrix" ? " rating" : "") },
      el("div", { class: "bi-text" },
        el("span", { class: "bi-title" }, p.title),
        p.title_alt ? el("span", { class: "bi-title-alt" }, p.title_alt) : null,
        el("span", { class: "bi-pitcher" }, p.pitcher + (p.organisation ? " · " + p.organisation : "")),
        p.offer ? el("span", { class: "bi-offer" }, p.offer) : null),
      ballotControls(p, left));
  }

  function ballotKey(list, left) {
    return JSON.stringify([snap.method, list.map((p) => [p.id, p.title, p.pitcher, p.offer]),
      me && me.ballot, me && me.ratings, left, snap.session.max_dots_per_pitch, [...mineIds()]]);
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
    const openIds = new Set(snap.open_ids);
    const list = snap.votable.filter((p) => openIds.has(p.id));
    const left = me ? me.dots_left : snap.session.dots_per_person;
    let hint;
    if (snap.method === "matrix") hint = t("rate_hint");
    else if (snap.method === "approval") hint = t("approve_hint");
    else hint = t("dots_left", { left, budget: snap.session.dots_per_person }) + (left === 0 ? " " + t("take_back_hint") : "");
    if (!list.length && snap.round === "per_pitch") hint = t("per_pitch_wait");
    setText($("#dots-left"), hint);
    F.render($("#ballot"), ballotKey(list, left), () => list.map((p) => ballotItem(p, left)));
  }

  /* ---- right after a pitch (per-pitch rounds): rate it now ---- */
  function renderRateNow() {
    const r = snap.rate_now;
    const p = r && F.now() < r.until ? snap.votable.find((x) => x.id === r.pitch_id) : null;
    const visible = !!p && snap.voting === "open" && !mineIds().has(p.id);
    show($("#rate-now"), visible);
    $("#app").dataset.rateNow = visible ? "yes" : "no";
    if (!visible) return;
    setText($("#rate-now-heading"), t("rate_now", { title: p.title }));
    const left = me ? me.dots_left : snap.session.dots_per_person;
    F.render($("#rate-now-ballot"), ballotKey([p], left), () => [ballotItem(p, left)]);
  }
  F.every(() => { if (snap) renderRateNow(); }, 1000);

  function renderResults() {
    const rows = snap.results;
    show($("#results"), !!rows);
    if (!rows) return;
    F.render($("#ranking"), JSON.stringify([snap.method, rows.map((r) => [r.id, r.rank, r.score, r.title])]),
      () => rows.map((r) => el("li", { class: "rank-item" + (r.rank <= 3 && r.score ? " top" : "") },
        el("span", { class: "rank" }, r.tied ? "=" + r.rank : String(r.rank)),
        el("span", { class: "ri-title" }, r.title),
        el("span", { class: "ri-votes" }, F.scoreText(snap.method, r)))));
  }

  /* ---- follow-up ---- */
  function renderFollow() {
    const mine = mineIds();
    const list = snap.votable.filter((p) => !mine.has(p.id));
    show($("#follow"), list.length > 0);
    const following = new Set((me && me.following) || []);
    F.render($("#follow-list"), JSON.stringify([list.map((p) => [p.id, p.title, p.pitcher]), [...following]]),
      () => list.map((p) => {
        const on = following.has(p.id);
        return el("li", { class: "follow-item" + (on ? " on" : "") },
          el("span", { class: "fi-text" },
            el("span", { class: "bi-title" }, p.title),
            el("span", { class: "bi-pitcher" }, p.pitcher)),
          el("button", {
            type: "button", class: "follow" + (on ? " on" : ""), "aria-pressed": on ? "true" : "false",
            "aria-label": (on ? t("following") : t("follow")) + ": " + p.title,
            onclick: (ev) => F.send("interest:set", { pitch_id: p.id, on: !on }, ev.currentTarget),
          }, on ? t("following") : t("follow")));
      }));
    const outcome = $("#outcome-link");
    show(outcome, !!snap.outcome_url);
    if (snap.outcome_url) outcome.querySelector("a").href = snap.outcome_url;
  }

  function renderContact() {
    if (!me || !me.participant) return;
    const p = me.participant;
    const contact = [p.email, p.phone].filter(Boolean).join(" · ");
    setText($("#contact-now"), p.consent ? t("contact_shared", { contact }) : t("contact_not_shared"));
    show($("#contact-remove"), p.consent);
    const form = $("#contact-form");
    if (!form.contains(document.activeElement)) {
      form.email.value = p.email; form.phone.value = p.phone; form.consent.checked = p.consent;
    }
  }

  const contactForm = $("#contact-form");
  async function saveContact(payload, button, done) {
    const error = $("#contact-error");
    const ack = await F.send("contact:set", payload, button);
    show(error, !ack.ok);
    setText(error, ack.ok ? "" : ack.message || t("refused"));
    if (ack.ok) F.toast(done, "ok");
  }
  contactForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    saveContact({ email: contactForm.email.value.trim(), phone: contactForm.phone.value.trim(),
      consent: contactForm.consent.checked }, contactForm.querySelector("button[type=submit]"), t("contact_saved"));
  });
  $("#contact-remove").addEventListener("click", (ev) => {
    saveContact({ consent: false }, ev.currentTarget, t("contact_removed"));
  });
  $("#delete-me").addEventListener("click", async (ev) => {
    if (!window.confirm(t("delete_confirm"))) return;
    const ack = await F.send("me:delete", {}, ev.currentTarget);
    if (ack.ok) F.toast(t("deleted"), "ok");
  });

  function renderAll() {
    if (!snap) return;
    renderStage();
    renderMine();
    renderVote();
    renderRateNow();
    renderResults();
    renderFollow();
    renderContact();
    // While voting is open the ballot comes first; otherwise the pitch form.
    $("#app").dataset.voting = snap.voting;
  }

  function stage(s) { snap = s; renderAll(); }
  // A vote's reply, and the same sent to this person's other pages: the new ballot.
  function onBallot(b) {
    if (!me) return;
    me = { ...me, ballot: b.ballot, dots_left: b.dots_left };
    renderAll();
  }
  function onMe(m) {
    // No participant any more: this person deleted their data (here or in another tab).
    if (!m.participant) return F.final("data_deleted");
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
