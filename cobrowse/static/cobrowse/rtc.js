/**
 * A video room over WebRTC, the same for the agent's widget and the customer's page.
 *
 * The server only relays (cobrowse/consumers.py): it tells this page who is in the room
 * (`welcome`, `joined`, `left`) and passes offers, answers and ICE candidates between two peers.
 * Every pair of people in the room has one RTCPeerConnection. The first negotiation is the
 * newcomer's alone: it offers an audio and a video transceiver, and the one already there puts
 * its tracks on them as it answers. (Both offering at once would always cross, and Chrome, after
 * rolling its offer back, sometimes never gathers candidates again: a call without a picture.)
 * Later ones are in the "perfect negotiation" pattern: both sides offer whenever
 * `negotiationneeded` fires; when two offers cross, the polite side (the larger peer id) rolls
 * its own back and answers, the impolite side ignores the other's. So turning the camera on while
 * the other side shares its screen cannot leave the two stuck.
 *
 * What this page sends: at most one audio and one video track per connection. The video is
 * the camera or, while sharing, the screen: switching between them is `replaceTrack` on the
 * same sender (no negotiation). Turning a track off stops it and sets its transceiver to
 * receive only, which is negotiated, and the other side's track goes muted; turning it back on
 * reuses the transceiver. Each side also says what it sends (`state` frames) for the captions.
 */

const CAMERA = { width: { ideal: 640 }, height: { ideal: 480 } };
// The socket says it is alive this often (cobrowse/services.py HEARTBEAT): a customer whose page
// went silent without closing (its server stopped) then stops keeping the next one out.
const HEARTBEAT_MS = 20_000;
const CLOSE_REASONS = {
  4403: "This room cannot be joined from here: open the link again, or type the number.",
  4404: "There is no video room with this number.",
  4409: "Someone is already in this room as the customer.",
  4410: "The video room has ended.",
};

/** For diagnostics from the browser's console (and the browser tests): the calls of this page. */
window.cobrowseCalls ??= new Set();

export class Conference extends EventTarget {
  #socket = null;
  #finished = false;
  #stage;
  camera = null; // the camera's track while it is on
  microphone = null;
  screen = null; // the shared screen's track while sharing
  remoteMuted;
  id = null;
  peers = new Map();

  /** `socketPath` (with the customer's token in `token`), `iceServers` as the server gave them,
   * `stage` the element holding [data-cobrowse-remotes] and the local [data-cobrowse-local];
   * with `startMuted` the others are heard only after `unmute()` (a person's click). */
  constructor({ socketPath, token = "", iceServers = [], stage, startMuted = false }) {
    super();
    this.socketPath = socketPath;
    this.token = token;
    this.iceServers = iceServers;
    this.#stage = stage;
    this.remoteMuted = startMuted;
    window.cobrowseCalls.add(this);
  }

  get connected() {
    return this.id !== null && !this.#finished;
  }

  get finished() {
    return this.#finished;
  }

  /** Turn the camera and microphone on (what is there of them), then enter the room. */
  async start() {
    const stream = await firstMedia([{ audio: true, video: CAMERA }, { audio: true }, { video: CAMERA }]);
    if (this.#finished) {
      stream?.getTracks().forEach((track) => track.stop());
      return;
    }
    this.camera = stream?.getVideoTracks()[0] ?? null;
    this.microphone = stream?.getAudioTracks()[0] ?? null;
    this.#showLocal();
    this.#connect();
  }

  #connect() {
    const url = new URL(this.socketPath, location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    if (this.token) url.searchParams.set("token", this.token);
    const socket = new WebSocket(url);
    this.#socket = socket;
    const heartbeat = setInterval(() => this.#send({ type: "alive" }), HEARTBEAT_MS);
    socket.addEventListener("message", (event) => this.#receive(JSON.parse(event.data)));
    socket.addEventListener("close", (event) => {
      clearInterval(heartbeat);
      if (!this.#finished) this.#finish(event.code === 4410 ? "ended" : "closed", CLOSE_REASONS[event.code] ?? "The connection to the room was lost.");
    });
  }

  #send(frame) {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(frame));
  }

  #receive(frame) {
    switch (frame.type) {
      case "welcome":
        this.id = frame.id;
        frame.peers.forEach((card) => this.#peer(card, { offers: true }));
        this.#announce();
        this.#changed();
        break;
      case "joined":
        this.#peer(frame.peer, { offers: false });
        this.#announce();
        this.#changed();
        break;
      case "left":
        this.peers.get(frame.id)?.close();
        this.peers.delete(frame.id);
        this.#changed();
        break;
      case "signal":
        this.peers.get(frame.from)?.signal(frame);
        break;
      case "state":
        this.peers.get(frame.from)?.showState(frame);
        break;
      case "ended":
        this.#finish("ended", CLOSE_REASONS[4410]);
        break;
    }
  }

  #peer(card, { offers }) {
    if (this.peers.has(card.id)) return this.peers.get(card.id);
    const peer = new Peer(this, card, { polite: this.id > card.id, offers });
    this.peers.set(card.id, peer);
    this.#stage.querySelector("[data-cobrowse-remotes]").append(peer.tile);
    return peer;
  }

  /** Used by each peer's connection: the track this page sends of a kind now. */
  track(kind) {
    return kind === "audio" ? this.microphone : (this.screen ?? this.camera);
  }

  signal(to, payload) {
    this.#send({ type: "signal", to, ...payload });
  }

  async setCamera(on) {
    if (on === Boolean(this.camera)) return;
    if (on) this.camera = (await firstMedia([{ video: CAMERA }]))?.getVideoTracks()[0] ?? null;
    else {
      this.camera.stop();
      this.camera = null;
    }
    await this.#resend("video");
  }

  async setMicrophone(on) {
    if (on === Boolean(this.microphone)) return;
    if (on) this.microphone = (await firstMedia([{ audio: true }]))?.getAudioTracks()[0] ?? null;
    else {
      this.microphone.stop();
      this.microphone = null;
    }
    await this.#resend("audio");
  }

  async setScreen(on) {
    if (on === Boolean(this.screen)) return;
    if (on) {
      let stream = null;
      try {
        stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      } catch {
        return; // the person chose nothing
      }
      this.screen = stream.getVideoTracks()[0];
      // The browser's own "Stop sharing" ends the track.
      this.screen.addEventListener("ended", () => this.setScreen(false));
    } else {
      this.screen.stop();
      this.screen = null;
    }
    await this.#resend("video");
  }

  /** Hear the others (browsers play sound only after the person acted on the page). */
  unmute() {
    this.remoteMuted = false;
    for (const peer of this.peers.values()) peer.unmute();
    this.#changed();
  }

  /** The page cannot play sound yet: play muted, and offer to unmute. */
  soundRefused() {
    if (this.remoteMuted) return;
    this.remoteMuted = true;
    for (const peer of this.peers.values()) peer.video.muted = true;
    this.#changed();
  }

  /** Leave the room (the others see this page go). */
  hangup() {
    this.#finish("left", "You left the video room.");
  }

  async #resend(kind) {
    await Promise.all([...this.peers.values()].map((peer) => peer.send(kind, this.track(kind))));
    this.#showLocal();
    this.#announce();
    this.#changed();
  }

  #announce() {
    this.#send({ type: "state", camera: Boolean(this.camera), microphone: Boolean(this.microphone), screen: Boolean(this.screen) });
  }

  #showLocal() {
    const video = this.#stage.querySelector("[data-cobrowse-local]");
    const track = this.track("video");
    video.srcObject = track ? new MediaStream([track]) : null;
    video.closest("figure").classList.toggle("cobrowse__tile--screen", Boolean(this.screen));
    const flags = this.#stage.querySelector("[data-cobrowse-local-flags]");
    if (flags) flags.textContent = flagText({ camera: Boolean(this.camera), microphone: Boolean(this.microphone), screen: Boolean(this.screen) });
  }

  #finish(reason, text) {
    if (this.#finished) return;
    this.#finished = true;
    for (const peer of this.peers.values()) peer.close();
    for (const track of [this.camera, this.microphone, this.screen]) track?.stop();
    this.#socket?.close();
    this.dispatchEvent(new CustomEvent("finished", { detail: { reason, text } }));
    this.#changed();
  }

  #changed() {
    this.dispatchEvent(new Event("change"));
  }

  /** Bytes and frames received so far from each peer (what getStats says), for diagnostics. */
  async received() {
    const result = [];
    for (const peer of this.peers.values()) {
      const report = await peer.pc.getStats();
      const entry = { peer: peer.id, audioBytes: 0, videoBytes: 0 };
      report.forEach((stat) => {
        if (stat.type === "inbound-rtp") entry[`${stat.kind}Bytes`] += stat.bytesReceived ?? 0;
      });
      result.push(entry);
    }
    return result;
  }
}

/** One other person in the room: the connection to them, and their tile. */
class Peer {
  #conference;
  #makingOffer = false;
  #ignoreOffer = false;
  #signals = Promise.resolve();
  #offering = Promise.resolve(); // our offer being made, if any
  #applying = false; // their description being applied
  transceivers = { audio: null, video: null };
  state = { camera: true, microphone: true, screen: false };
  negotiations = 0; // descriptions applied, for diagnostics
  log = []; // what happened to the negotiation, for diagnostics

  /** With `offers` this page makes the first offer (it is the newcomer); otherwise it waits for
   * the other's and answers it. */
  constructor(conference, card, { polite, offers }) {
    this.#conference = conference;
    this.id = card.id;
    this.label = card.label;
    this.role = card.role;
    this.polite = polite;
    this.stream = new MediaStream();
    this.#buildTile();
    this.pc = new RTCPeerConnection({ iceServers: conference.iceServers });
    this.pc.addEventListener("negotiationneeded", () => this.#offer());
    this.pc.addEventListener("icecandidate", ({ candidate }) => {
      if (candidate) conference.signal(this.id, { candidate: candidate.toJSON() });
      this.log.push(candidate ? "cand>" : "cand>end");
    });
    this.pc.addEventListener("track", ({ track }) => this.#received(track));
    this.pc.addEventListener("connectionstatechange", () => {
      this.tile.dataset.connection = this.pc.connectionState;
      // A path that stopped working (a network change): look for another, renegotiated.
      if (this.pc.connectionState === "failed") this.pc.restartIce();
    });
    if (!offers) return;
    for (const kind of ["audio", "video"]) {
      const track = conference.track(kind);
      if (track) this.#add(kind, track);
      else this.transceivers[kind] = this.pc.addTransceiver(kind, { direction: "recvonly" });
    }
  }

  #buildTile() {
    this.video = document.createElement("video");
    Object.assign(this.video, { autoplay: true, playsInline: true, muted: this.#conference.remoteMuted });
    this.video.className = "cobrowse__video";
    this.video.setAttribute("aria-label", `${this.label}'s video`);
    this.flags = document.createElement("span");
    this.flags.className = "cobrowse__flags";
    const caption = document.createElement("figcaption");
    caption.append(`${this.label} `, this.flags);
    this.tile = document.createElement("figure");
    this.tile.className = "cobrowse__tile cobrowse__tile--remote";
    this.tile.dataset.peer = this.id;
    this.tile.dataset.role = this.role;
    this.tile.append(this.video, caption);
  }

  #offer() {
    // Not while an offer of theirs is being applied: between our rollback and their offer the
    // connection is stable for a moment, and an offer started then would be taken back half
    // made. The browser asks again once the connection is stable, if it still needs to.
    if (this.#applying) return;
    this.#offering = (async () => {
      try {
        this.#makingOffer = true;
        await this.pc.setLocalDescription();
        this.#conference.signal(this.id, { description: this.pc.localDescription.toJSON() });
        this.log.push(`${this.pc.localDescription.type}>`);
      } catch (error) {
        this.log.push(`offer failed ${error}`);
        console.warn("cobrowse: offer failed", error);
      } finally {
        this.#makingOffer = false;
      }
    })();
  }

  /** An offer, answer or candidate from this peer, handled in the order they came: a
   * candidate must not overtake the description it belongs to while that is being applied. */
  signal(frame) {
    this.#signals = this.#signals.then(() => this.#apply(frame));
    return this.#signals;
  }

  /** Perfect negotiation: on crossed offers the polite side rolls back and answers. */
  async #apply({ description, candidate }) {
    const pc = this.pc;
    this.log.push(description ? `<${description.type} ${pc.signalingState}${this.#makingOffer ? " making" : ""}` : "<cand");
    try {
      if (description) {
        const collision = description.type === "offer" && (this.#makingOffer || pc.signalingState !== "stable");
        this.#ignoreOffer = !this.polite && collision;
        if (this.#ignoreOffer) {
          this.log.push("ignored");
          return;
        }
        this.#applying = true;
        if (collision) {
          // Let our own offer finish being set (a rollback in the middle of it can leave
          // Chrome's ICE without candidates), then take it back.
          await this.#offering;
          if (pc.signalingState === "have-local-offer") await pc.setLocalDescription({ type: "rollback" });
        }
        await pc.setRemoteDescription(description);
        this.negotiations += 1;
        if (description.type === "offer") {
          this.#adopt();
          await pc.setLocalDescription();
          this.#conference.signal(this.id, { description: pc.localDescription.toJSON() });
          this.log.push("answer>");
        }
        this.#applying = false;
      } else if (candidate) {
        try {
          await pc.addIceCandidate(candidate);
        } catch (error) {
          if (!this.#ignoreOffer) throw error;
        }
      }
    } catch (error) {
      this.#applying = false;
      this.log.push(`failed ${error}`);
      console.warn("cobrowse: signaling failed", error);
    }
  }

  #add(kind, track) {
    const sender = this.pc.addTrack(track);
    this.transceivers[kind] = this.pc.getTransceivers().find((each) => each.sender === sender);
  }

  /** Answering the first offer: take its transceivers as ours, our tracks on them (addTrack
   * reuses an offered transceiver of the track's kind), so the answer already sends. */
  #adopt() {
    for (const kind of ["audio", "video"]) {
      if (this.transceivers[kind]) continue;
      const track = this.#conference.track(kind);
      if (track) this.#add(kind, track);
      else this.transceivers[kind] = this.pc.getTransceivers().find((each) => each.receiver.track.kind === kind) ?? null;
    }
  }

  /** Send `track` as this kind (null: stop sending it). */
  async send(kind, track) {
    if (this.pc.signalingState === "closed") return;
    const transceiver = this.transceivers[kind];
    if (!transceiver) return; // the first offer is still to come: answering it takes the track
    if (transceiver.sender.track !== track) await transceiver.sender.replaceTrack(track);
    const direction = track ? "sendrecv" : "recvonly";
    if (transceiver.direction !== direction) transceiver.direction = direction; // negotiated
  }

  #received(track) {
    if (!this.stream.getTracks().includes(track)) this.stream.addTrack(track);
    const show = () => this.#showTracks();
    track.addEventListener("mute", show);
    track.addEventListener("unmute", show);
    if (this.video.srcObject !== this.stream) this.video.srcObject = this.stream;
    this.#play();
    show();
  }

  #play() {
    this.video.play().catch((error) => {
      if (error.name === "NotAllowedError" && !this.video.muted) {
        this.#conference.soundRefused();
        this.video.play().catch(() => {});
      }
    });
  }

  unmute() {
    this.video.muted = false;
    this.#play();
  }

  #showTracks() {
    const video = this.stream.getVideoTracks()[0];
    this.tile.dataset.video = video && !video.muted ? "on" : "off";
  }

  /** What this peer says it sends: the caption's flags. */
  showState(frame) {
    this.state = { camera: frame.camera, microphone: frame.microphone, screen: frame.screen };
    this.tile.dataset.camera = frame.camera ? "on" : "off";
    this.tile.dataset.microphone = frame.microphone ? "on" : "off";
    this.tile.dataset.screen = frame.screen ? "on" : "off";
    this.tile.classList.toggle("cobrowse__tile--screen", frame.screen);
    this.flags.textContent = flagText(this.state);
  }

  close() {
    this.pc.close();
    this.tile.remove();
  }
}

function flagText({ camera, microphone, screen }) {
  const flags = [];
  if (screen) flags.push("sharing screen");
  else if (!camera) flags.push("camera off");
  if (!microphone) flags.push("microphone off");
  return flags.length ? `(${flags.join(", ")})` : "";
}

/** The first of these getUserMedia asks that the browser grants, or null. */
async function firstMedia(asks) {
  for (const ask of asks) {
    try {
      return await navigator.mediaDevices.getUserMedia(ask);
    } catch {
      // not there, or refused: try the next
    }
  }
  return null;
}

/**
 * The call's buttons inside `root` (by data-cobrowse-action): camera, screen and microphone
 * toggles (aria-pressed), Unmute, shown while the others are muted; the status line. Both pages
 * use them; their own buttons (end, leave) they handle themselves.
 */
export function bindControls(root, conference, { waitingText }) {
  const button = (action) => root.querySelector(`[data-cobrowse-action="${action}"]`);
  const toggles = {
    camera: [() => Boolean(conference.camera), (on) => conference.setCamera(on)],
    screen: [() => Boolean(conference.screen), (on) => conference.setScreen(on)],
    microphone: [() => Boolean(conference.microphone), (on) => conference.setMicrophone(on)],
  };
  for (const [action, [isOn, set]] of Object.entries(toggles)) {
    const element = button(action);
    if (!element) continue;
    element.addEventListener("click", async () => {
      element.disabled = true;
      try {
        await set(!isOn());
      } finally {
        render();
      }
    });
  }
  button("unmute")?.addEventListener("click", () => conference.unmute());
  const status = root.querySelector("[data-cobrowse-status]");
  const canShare = Boolean(navigator.mediaDevices?.getDisplayMedia);
  function render() {
    for (const [action, [isOn]] of Object.entries(toggles)) {
      const element = button(action);
      if (!element) continue;
      element.setAttribute("aria-pressed", String(isOn()));
      element.disabled = !conference.connected || (action === "screen" && !canShare);
    }
    const unmute = button("unmute");
    if (unmute) unmute.hidden = !conference.remoteMuted || conference.finished;
    if (status && conference.connected) {
      const names = [...conference.peers.values()].map((peer) => peer.label);
      status.textContent = names.length ? `In the call with ${names.join(", ")}` : waitingText;
    }
  }
  conference.addEventListener("change", render);
  render();
  return render;
}
