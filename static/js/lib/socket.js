/* The page's one connection: full snapshots from the server, actions sent with an
 * acknowledgement, a banner while the connection is down. */
import { estimate, sync } from "./clock.js";
import { $, el, setText, show } from "./dom.js";
import { t } from "./i18n.js";
import { stop, stopped } from "./lifecycle.js";
import { page } from "./page.js";
import { toast } from "./toast.js";

let current = null;
let leaving = false;
const onConnect = [];

/* This page asked the server to end it ("delete me"): the server then closes the connection,
 * which is the answer, not a fault; no banner, no reconnecting. */
export function leave() {
  leaving = true;
}

/* The request to end this page was refused: connection trouble is trouble again. */
export function stay() {
  leaving = false;
}

/* Run `fn` each time the connection is (re)established (after the first snapshot is asked). */
export function whenConnected(fn) {
  onConnect.push(fn);
}

/* Whether actions can reach the server now. */
export const online = () => !!current?.connected;

/* The Socket.IO connection once `connect` made it (null before). */
export const socket = () => current;

/* Refusals that say "not now" rather than "not you": the page keeps trying as the same person. */
const TRANSIENT = ["too_many_attempts", "rate_limited", "server_error", "busy"];

/* Connect as `role` ("console", "screen" or "phone"); `handlers` get the server's events:
 * stage (a newer snapshot only), counts, me, ballot, devices (the console's count of phones),
 * disconnected (the connection went down), and refused (a final refusal from the server: wrong
 * role, unknown session, an identity that no longer holds). `version`: the version of the
 * page's scripts, which the server counts (a phone running an older page than the server's).
 * The Socket.IO client is the vendored classic script (static/vendor), loaded before the
 * page's modules. */
export function connect(role, handlers, version = null) {
  const banner = $("#conn-banner");
  const io = globalThis.io;
  const s = io({
    // A websocket first; where a proxy refuses websockets, long-polling (the server bounds it
    // the same way). Socket.IO tries the next transport when one fails to open.
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    // No upgrade from polling: the next reconnect tries the websocket first anyway.
    upgrade: false,
    auth: version ? { code: page.code, role, v: version } : { code: page.code, role },
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
    randomizationFactor: 0.5,
    timeout: 8000,
  });
  let lastRev = -1;
  const setBanner = (key) => {
    if (!banner) return;
    show(banner, !!key);
    if (key) setText(banner, t(key));
    document.body.classList.toggle("offline", !!key);
  };
  let isGone = false;
  let retries = 0;
  // The client's own backoff, for reconnects Socket.IO does not make itself.
  const retry = () => {
    retries += 1;
    const delay = Math.min(5000, 500 * 2 ** Math.min(retries, 4)) * (0.5 + Math.random());
    setTimeout(() => {
      if (!isGone && !stopped() && !s.connected) s.connect();
    }, delay);
  };
  s.on("connect", () => {
    setBanner(null);
    retries = 0;
    sync(s);
    for (const fn of onConnect) fn();
  });
  s.on("disconnect", (reason) => {
    handlers.disconnected?.();
    if (leaving) {
      if (reason === "io server disconnect" && handlers.left) handlers.left();
      return;
    }
    setBanner("reconnecting");
    // The server closed this connection on purpose (its identity changed: a new console
    // link, "delete me", an erased session). Connect again once: the cookie either still
    // proves who this page is, or the refusal says why not.
    if (reason === "io server disconnect" && !isGone) retry();
  });
  s.on("connect_error", (err) => {
    if (leaving) return;
    const data = err.data || {};
    if (!s.active && TRANSIENT.includes(data.error)) {
      setBanner("reconnecting");
      retry();
    } else if (!s.active) {
      // A refusal from the server (wrong role, unknown session) is final.
      setBanner(null);
      if (handlers.refused) handlers.refused(data);
    } else {
      setBanner("reconnecting");
    }
  });
  s.on("stage", (snap) => {
    if (snap.rev < lastRev) return; // an older snapshot overtaken by a newer one
    lastRev = snap.rev;
    estimate(snap.server_now);
    if (handlers.stage) handlers.stage(snap);
  });
  s.on("counts", (c) => handlers.counts?.(c));
  s.on("me", (me) => handlers.me?.(me));
  s.on("ballot", (b) => handlers.ballot?.(b));
  s.on("devices", (d) => handlers.devices?.(d));
  s.on("gone", () => {
    isGone = true;
    s.disconnect();
    gone();
  });
  current = s;
  return s;
}

/* A final state: the page says why it stopped (`key`, a UI text; `detail`, a second one), and
 * stops: no timers, no reconnecting. `link`: [text key, address] of a way on, if any. */
export function final(key, detail, link) {
  stop();
  leaving = true;
  current?.disconnect();
  document.body.replaceChildren(
    el(
      "main",
      { class: "start-main narrow" },
      el(
        "section",
        { class: "card gone", role: "status" },
        el("h1", {}, t(key)),
        detail ? el("p", { class: "gone-detail" }, t(detail)) : null,
        link ? el("a", { class: "button primary big", href: link[1] }, t(link[0])) : null,
      ),
    ),
  );
}

/* The session was erased: nothing on this page is true any more. */
export const gone = () => final("session_erased");

/* Send an action: the button shows it is busy at once, then the answer comes back as
 * {ok: true, ...} or {ok: false, error, message}, the message shown as a toast (`quiet`: not
 * for "offline" and "timeout", which the caller handles: it keeps the action to send again). */
export function send(event, payload, button, options = {}) {
  const done = () => {
    if (button) {
      button.classList.remove("busy");
      button.removeAttribute("aria-busy");
    }
  };
  if (button) {
    button.classList.add("busy");
    button.setAttribute("aria-busy", "true");
  }
  return new Promise((resolve) => {
    if (!current?.connected) {
      if (!options.quiet) toast(t("offline_action"));
      done();
      resolve({ ok: false, error: "offline" });
      return;
    }
    current.timeout(8000).emit(event, payload || {}, (err, answer) => {
      done();
      const ack = err ? { ok: false, error: "timeout", message: t("no_answer") } : answer;
      if (!ack.ok && !(options.quiet && ack.error === "timeout"))
        toast(ack.message || t("refused"));
      resolve(ack);
    });
  });
}
