/**
 * The live monitor's websocket (supervision/consumers.py): a snapshot on every (re)connect,
 * then frames whose event_id grows by one; a frame out of order asks for a fresh snapshot.
 * Reconnects by itself, waiting longer after each failure (up to 10 s).
 */
const MAX_RETRY_MS = 10_000;

export function monitorSocket({ onFrame, onState, watching = null }) {
  let retryMs = 500;
  let last = null;
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const connect = () => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/monitor/?${new URLSearchParams({ tz })}`);
    socket.addEventListener("open", () => {
      retryMs = 500;
      onState("Live");
      if (watching !== null) socket.send(JSON.stringify({ type: "watch", activity_id: watching }));
    });
    socket.addEventListener("message", (message) => {
      const frame = JSON.parse(message.data);
      if (frame.type !== "snapshot" && last !== null && frame.event_id !== last + 1) {
        socket.send(JSON.stringify({ type: "resync" }));
      }
      last = frame.event_id;
      onFrame(frame);
    });
    socket.addEventListener("close", (event) => {
      last = null;
      if (event.code === 4401 || event.code === 4403) {
        onState("Not signed in as a supervisor");
        return;
      }
      onState(`Reconnecting in ${Math.round(retryMs / 1000)} s…`);
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    });
  };
  connect();
}

