/* Facilitator: what the console, the screen and the phone share.
 * No framework. User text only ever goes through textContent (F.el), never innerHTML. */
(function () {
  "use strict";

  const F = (window.F = {});
  const dataEl = document.getElementById("page-data");
  F.page = dataEl ? JSON.parse(dataEl.textContent) : {};
  const TEXT = F.page.text || {};

  /* Translated UI text: F.t("key", {n: 3}) with %(n)s placeholders. */
  F.t = function (key, params) {
    let s = TEXT[key] !== undefined ? TEXT[key] : key;
    if (params) {
      s = s.replace(/%\((\w+)\)s/g, (m, k) => (params[k] !== undefined ? String(params[k]) : m));
    }
    return s;
  };

  /* The same text in the page's second language (the screen for a mixed room), or "". */
  const TEXT_ALT = F.page.text_alt || null;
  F.talt = function (key, params) {
    if (!TEXT_ALT || TEXT_ALT[key] === undefined) return "";
    return TEXT_ALT[key].replace(/%\((\w+)\)s/g, (m, k) => (params && params[k] !== undefined ? String(params[k]) : m));
  };
  /* Set a label's text and, where there is a second language, its data-alt (shown by CSS). */
  F.label = function (node, key, params) {
    if (!node) return;
    F.setText(node, F.t(key, params));
    const alt = F.talt(key, params);
    if (alt) { if (node.dataset.alt !== alt) node.dataset.alt = alt; } else if (node.dataset.alt) delete node.dataset.alt;
  };

  /* Build DOM safely: strings become text nodes, never markup. */
  F.el = function (tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k === "dataset") Object.assign(node.dataset, v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  };
  F.$ = (sel, root) => (root || document).querySelector(sel);
  F.$$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  F.setText = function (node, text) {
    if (node && node.textContent !== text) node.textContent = text;
  };
  F.show = function (node, visible) {
    if (node) node.hidden = !visible;
  };

  /* ---- the server's clock: offset measured over a few round trips, best one kept ---- */
  let offset = 0;
  let bestRtt = Infinity;
  F.now = () => Date.now() + offset;
  function syncClock(socket, rounds) {
    const t0 = Date.now();
    socket.timeout(3000).emit("time:sync", {}, (err, ack) => {
      const t1 = Date.now();
      if (!err && ack && ack.ok) {
        const rtt = t1 - t0;
        if (rtt <= bestRtt) {
          bestRtt = rtt;
          offset = ack.now + rtt / 2 - t1;
        }
      }
      if (rounds > 1) setTimeout(() => syncClock(socket, rounds - 1), 150);
    });
  }

  /* ---- timers: data from the server, animated here ---- */
  F.remaining = function (timer) {
    if (!timer) return 0;
    return timer.state === "running" ? timer.ends_at - F.now() : timer.remaining_ms;
  };
  F.phase = function (timer, left) {
    if (left <= 0 && timer.state !== "idle") return "overrun";
    if (left <= 10000) return "red";
    if (left <= 30000) return "amber";
    return "normal";
  };
  F.fmt = function (ms) {
    const over = ms < 0;
    // Count down in whole seconds rounded up (0:01 until the very end), overrun up.
    const total = over ? Math.floor(-ms / 1000) : Math.ceil(ms / 1000);
    const m = Math.floor(total / 60);
    const s = total % 60;
    return (over ? "+" : "") + m + ":" + String(s).padStart(2, "0");
  };
  const PHASE_LABEL = {
    normal: "timer_normal", amber: "timer_amber", red: "timer_red", overrun: "timer_overrun",
  };
  const PHASE_ICON = { normal: "", amber: "\u25B2 ", red: "\u25C6 ", overrun: "\u26A0 " };

  /* A view of one timer: elements found by data attributes inside `root`.
   * [data-timer-digits], [data-timer-label], [data-timer-bar], root gets data-phase. */
  const views = new Set();
  F.timerView = function (root) {
    const view = {
      root, timer: null,
      digits: F.$("[data-timer-digits]", root),
      label: F.$("[data-timer-label]", root),
      bar: F.$("[data-timer-bar]", root),
      live: F.$("[data-timer-live]", root),
      lastPhase: null,
      set(timer) { this.timer = timer; this.render(); },
      render() {
        const t = this.timer;
        if (!t) return;
        const left = F.remaining(t);
        const phase = F.phase(t, left);
        F.setText(this.digits, F.fmt(left));
        const key = t.state === "paused" ? "timer_paused"
          : t.state === "idle" ? "timer_ready" : PHASE_LABEL[phase];
        F.setText(this.label, (t.state === "running" ? PHASE_ICON[phase] : "") + F.t(key));
        const alt = F.talt(key);
        if (alt && this.label.dataset.alt !== alt) this.label.dataset.alt = alt;
        if (this.root.dataset.phase !== phase) this.root.dataset.phase = phase;
        if (this.root.dataset.state !== t.state) this.root.dataset.state = t.state;
        if (this.bar) {
          const done = t.total_ms > 0 ? 1 - Math.max(0, left) / t.total_ms : 1;
          this.bar.style.width = (Math.min(1, Math.max(0, done)) * 100).toFixed(1) + "%";
        }
        // Screen readers hear thresholds, not every second; listeners (the chime) too.
        if (phase !== this.lastPhase && t.state === "running" && this.lastPhase) {
          if (this.live) F.setText(this.live, F.t(PHASE_LABEL[phase]));
          if (this.onPhase) this.onPhase(phase, this.lastPhase);
        }
        this.lastPhase = phase;
      },
    };
    views.add(view);
    return view;
  };
  function tick() {
    if (F.stopped) return;
    views.forEach((v) => v.render());
    setTimeout(() => requestAnimationFrame(tick), 100);
  }
  /* Periodic work of a page, stopped with the page (F.final). */
  const intervals = [];
  F.every = function (fn, ms) { intervals.push(setInterval(fn, ms)); };
  requestAnimationFrame(tick);

  /* ---- connection: one socket, full snapshots, a banner while it is down ---- */
  F.connect = function (role, handlers) {
    const banner = F.$("#conn-banner");
    const socket = io({
      transports: ["websocket"],
      auth: { code: F.page.code, role },
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      randomizationFactor: 0.5,
      timeout: 8000,
    });
    let lastRev = -1;
    const setBanner = (key) => {
      if (!banner) return;
      F.show(banner, !!key);
      if (key) F.setText(banner, F.t(key));
      document.body.classList.toggle("offline", !!key);
    };
    socket.on("connect", () => {
      setBanner(null);
      bestRtt = Infinity;
      syncClock(socket, 4);
    });
    let gone = false;
    let retries = 0;
    const retry = () => {  // the client's own backoff, for reconnects it does not make itself
      retries += 1;
      const delay = Math.min(5000, 500 * 2 ** Math.min(retries, 4)) * (0.5 + Math.random());
      setTimeout(() => { if (!gone && !socket.connected) socket.connect(); }, delay);
    };
    socket.on("disconnect", (reason) => {
      setBanner("reconnecting");
      // The server closed this connection on purpose (its identity changed: a new console
      // link, "delete me", an erased session). Connect again once: the cookie either still
      // proves who this page is, or the refusal says why not.
      if (reason === "io server disconnect" && !gone) retry();
    });
    socket.on("connect", () => { retries = 0; });
    // Refusals that say "not now" rather than "not you": keep trying as the same person.
    const TRANSIENT = ["too_many_attempts", "rate_limited", "server_error", "busy"];
    socket.on("connect_error", (err) => {
      const data = err.data || {};
      if (!socket.active && TRANSIENT.includes(data.error)) {
        setBanner("reconnecting");
        retry();
      } else if (!socket.active) {
        // A refusal from the server (wrong role, unknown session) is final.
        setBanner(null);
        if (handlers.refused) handlers.refused(data);
      } else {
        setBanner("reconnecting");
      }
    });
    socket.on("stage", (snap) => {
      if (snap.rev < lastRev) return; // an older snapshot overtaken by a newer one
      lastRev = snap.rev;
      offsetFromSnapshot(snap);
      handlers.stage && handlers.stage(snap);
    });
    socket.on("counts", (c) => handlers.counts && handlers.counts(c));
    socket.on("me", (me) => handlers.me && handlers.me(me));
    socket.on("ballot", (b) => handlers.ballot && handlers.ballot(b));
    socket.on("gone", () => { gone = true; socket.disconnect(); F.gone(); });
    F.socket = socket;
    return socket;
  };
  function offsetFromSnapshot(snap) {
    // Before the first round trip, the snapshot's clock is the best estimate there is.
    if (bestRtt === Infinity && snap.server_now) offset = snap.server_now - Date.now();
  }

  /* The session was erased: nothing on this page is true any more. */
  F.gone = function () { F.final("session_erased"); };
  /* A final state: the page says why it stopped, and stops (no reconnecting). */
  F.final = function (key) {
    F.stopped = true;
    intervals.forEach(clearInterval);
    if (F.socket) F.socket.disconnect();
    document.body.replaceChildren(F.el("main", { class: "start-main narrow" },
      F.el("section", { class: "card gone", role: "status" }, F.el("h1", {}, F.t(key)))));
  };

  /* A result's score in the words of the round's method. */
  F.scoreText = function (method, r) {
    if (method === "matrix") return F.t("score_is", { n: r.score });
    const key = method === "approval" ? "approvals" : "dots";
    return F.t(r.score === 1 ? key + "_one" : key + "_many", { n: r.score });
  };

  /* ---- actions: pressed state at once, then confirmed or a readable error ---- */
  F.toast = function (message, kind) {
    let box = F.$("#toasts");
    if (!box) return;
    const item = F.el("div", { class: "toast " + (kind || "error"), role: "status" }, message);
    box.append(item);
    while (box.children.length > 3) box.firstElementChild.remove(); // never a wall of toasts
    setTimeout(() => item.remove(), kind === "ok" ? 2500 : 6000);
  };
  F.send = function (event, payload, button) {
    if (button) { button.classList.add("busy"); button.setAttribute("aria-busy", "true"); }
    return new Promise((resolve) => {
      if (!F.socket || !F.socket.connected) {
        F.toast(F.t("offline_action"));
        done(); resolve({ ok: false, error: "offline" });
        return;
      }
      F.socket.timeout(8000).emit(event, payload || {}, (err, ack) => {
        done();
        if (err) ack = { ok: false, error: "timeout", message: F.t("no_answer") };
        if (!ack.ok) F.toast(ack.message || F.t("refused"));
        resolve(ack);
      });
    });
    function done() {
      if (button) { button.classList.remove("busy"); button.removeAttribute("aria-busy"); }
    }
  };

  /* Replace a container's children only when the rendering key changed (keeps focus). */
  // Keyboard focus survives a rebuild: an element with data-fkey gets it back by that key.
  F.render = function (container, key, build) {
    if (!container || container.dataset.key === key) return false;
    container.dataset.key = key;
    const active = document.activeElement;
    const fkey = active && container.contains(active) ? active.dataset.fkey : null;
    container.replaceChildren(...[].concat(build()));
    if (fkey) {
      const again = container.querySelector(`[data-fkey="${CSS.escape(fkey)}"]`);
      if (again && !again.disabled) again.focus();
      else if (again) (again.closest("[tabindex], li") || container).querySelector("button:not([disabled])")?.focus();
    }
    return true;
  };
  const EN_SUFFIX = { one: "st", two: "nd", few: "rd", other: "th" };
  F.ordinal = function (n) {
    if ((document.documentElement.lang || "en").startsWith("en") && window.Intl && Intl.PluralRules) {
      return n + EN_SUFFIX[new Intl.PluralRules("en", { type: "ordinal" }).select(n)];
    }
    return F.t("ordinal", { n });
  };
})();
