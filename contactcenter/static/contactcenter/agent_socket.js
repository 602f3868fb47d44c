/**
 * The workspace's live connection to /ws/agent/.
 *
 * Keeps one websocket open: pings it so a silently dead connection is noticed, reconnects with a
 * growing delay when it drops, and reports its state ("connecting", "connected", "down") so the
 * page can say so. A 4401 close means the session ended: the page goes to the login screen.
 * Frames other than "pong" are handed to listeners as "frame" events.
 *
 * Events come on streams (the agent's own, each of their queues'), each numbered by an id that
 * grows by one per stream. The server sends a snapshot (with the last id of each stream it
 * covers) on every connect. An event whose id is not the next one of its stream means one was
 * lost in between: the socket asks for the missed ones ("replay") and applies them in order;
 * the server answers with a snapshot when it no longer has them. Pings carry the ids too, so a
 * lost last event is found within a ping. Events already applied are dropped.
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
  #applied = null; // stream -> the id of the last event applied; null until a snapshot
  #behind = new Map(); // stream -> the highest id seen while its replay is awaited

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
    this.send({ type: "ping", event_ids: Object.fromEntries(this.#applied ?? []) });
    this.#pongTimer = setTimeout(() => this.#socket.close(), PONG_TIMEOUT_MS);
  }

  #receive(frame) {
    if (frame.type === "pong") {
      clearTimeout(this.#pongTimer);
      return;
    }
    if (frame.type === "snapshot") {
      this.#applied = new Map(Object.entries(frame.event_ids));
      this.#behind.clear();
    } else if (frame.type === "replayed") {
      this.#replayAgain();
      return;
    } else if (frame.stream !== undefined && !this.#inOrder(frame)) {
      return;
    }
    this.dispatchEvent(new CustomEvent("frame", { detail: frame }));
  }

  /** Whether an event is the next of its stream (then it counts as applied); on a gap the
   * missed events are asked for. A stream followed since the snapshot starts where it is. */
  #inOrder({ stream, event_id: id }) {
    if (this.#applied === null) return false;
    const last = this.#applied.get(stream);
    if (last !== undefined && id <= last) return false;
    if (last !== undefined && id !== last + 1) {
      if (!this.#behind.has(stream)) this.send({ type: "replay", event_ids: { [stream]: last } });
      this.#behind.set(stream, Math.max(id, this.#behind.get(stream) ?? 0));
      return false;
    }
    this.#applied.set(stream, id);
    return true;
  }

  /** A replay is done: streams still short of what was seen meanwhile are asked for again. */
  #replayAgain() {
    const short = [...this.#behind].filter(([stream, seen]) => (this.#applied?.get(stream) ?? 0) < seen);
    this.#behind = new Map(short);
    if (short.length) {
      this.send({ type: "replay", event_ids: Object.fromEntries(short.map(([stream]) => [stream, this.#applied.get(stream)])) });
    }
  }

  #closed(code) {
    this.#applied = null;
    this.#behind.clear();
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
