/**
 * The workspace's live connection to /ws/agent/.
 *
 * Keeps one websocket open: pings it so a silently dead connection is noticed, reconnects with a
 * growing delay when it drops, and reports its state ("connecting", "connected", "down") so the
 * page can say so. A 4401 close means the session ended: the page goes to the login screen.
 * Frames other than "pong" are handed to listeners as "frame" events.
 *
 * Events carry an id that grows by one per agent. The server sends a snapshot (with the last id
 * it covers) on every connect; an event whose id is not the next one means one was lost in
 * between, so the socket asks for a fresh snapshot ("resync") instead of showing a stale page.
 * Events already covered by the snapshot are dropped.
 */
const PING_INTERVAL_MS = 25_000;
const PONG_TIMEOUT_MS = 10_000;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 15_000;
const CLOSE_NOT_AUTHENTICATED = 4401;

export class AgentSocket extends EventTarget {
  #url;
  #loginUrl;
  #socket = null;
  #retryMs = FIRST_RETRY_MS;
  #pingTimer = null;
  #pongTimer = null;
  #lastEventId = null;

  constructor({ url, loginUrl }) {
    super();
    this.#url = url;
    this.#loginUrl = loginUrl;
  }

  start() {
    this.#emitState("connecting");
    const socket = new WebSocket(this.#url);
    this.#socket = socket;
    socket.addEventListener("open", () => {
      this.#retryMs = FIRST_RETRY_MS;
      this.#emitState("connected");
      this.#pingTimer = setInterval(() => this.#ping(), PING_INTERVAL_MS);
    });
    socket.addEventListener("message", (event) => this.#receive(JSON.parse(event.data)));
    socket.addEventListener("close", (event) => this.#closed(event.code));
  }

  /** Send a frame if connected; frames while down are dropped (state is resent on connect). */
  send(frame) {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(frame));
  }

  #ping() {
    this.send({ type: "ping" });
    this.#pongTimer = setTimeout(() => this.#socket.close(), PONG_TIMEOUT_MS);
  }

  #receive(frame) {
    if (frame.type === "pong") {
      clearTimeout(this.#pongTimer);
      return;
    }
    if (frame.type === "snapshot") {
      this.#lastEventId = frame.event_id;
    } else if (frame.event_id !== undefined) {
      if (this.#lastEventId === null || frame.event_id <= this.#lastEventId) return;
      if (frame.event_id !== this.#lastEventId + 1) {
        this.#lastEventId = null;
        this.send({ type: "resync" });
        return;
      }
      this.#lastEventId = frame.event_id;
    }
    this.dispatchEvent(new CustomEvent("frame", { detail: frame }));
  }

  #closed(code) {
    this.#lastEventId = null;
    clearInterval(this.#pingTimer);
    clearTimeout(this.#pongTimer);
    if (code === CLOSE_NOT_AUTHENTICATED) {
      window.location.assign(this.#loginUrl);
      return;
    }
    const delay = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
    this.#emitState("down", { retryInMs: delay });
    setTimeout(() => this.start(), delay);
  }

  #emitState(state, detail = {}) {
    this.dispatchEvent(new CustomEvent("state", { detail: { state, ...detail } }));
  }
}
