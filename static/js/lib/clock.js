/* The server's clock: its offset from this browser's, measured over a few round trips of
 * `time:sync`, the one with the shortest round trip kept. Every timer on the page counts from
 * it, so all screens and phones show the same second. */
let offset = 0;
let bestRtt = Number.POSITIVE_INFINITY;

export const now = () => Date.now() + offset;

function round(socket, rounds) {
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
    if (rounds > 1) setTimeout(() => round(socket, rounds - 1), 150);
  });
}

/* Measure again from scratch (on every connect: the network path may have changed). */
export function sync(socket) {
  bestRtt = Number.POSITIVE_INFINITY;
  round(socket, 4);
}

/* Before the first round trip, a snapshot's clock is the best estimate there is. */
export function estimate(serverNow) {
  if (bestRtt === Number.POSITIVE_INFINITY && serverNow) offset = serverNow - Date.now();
}
