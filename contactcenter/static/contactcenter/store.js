/**
 * What the workspace shows, kept right by the websocket: a snapshot on every (re)connect, then
 * the events on top of it (contactcenter/events/workspace.py and messaging/events.py define
 * every type). Listeners hear
 * "change" with the frame that caused it; message events pass through as "message".
 */
export class Store extends EventTarget {
  agent = null;
  pause = null;
  pauseReasons = [];
  queues = [];
  offers = new Map();
  activities = new Map(); // open and postponed, that the agent takes part in
  waiting = new Map(); // waiting in the agent's queues

  apply(frame) {
    switch (frame.type) {
      case "snapshot":
        this.agent = frame.agent;
        this.pause = frame.pause;
        this.pauseReasons = frame.pause_reasons;
        this.queues = frame.queues;
        this.offers = new Map(frame.offers.map((offer) => [offer.id, offer]));
        this.activities = new Map(frame.activities.map((activity) => [activity.id, activity]));
        this.waiting = new Map(frame.waiting.map((activity) => [activity.id, activity]));
        break;
      case "offer.new":
        this.offers.set(frame.offer.id, frame.offer);
        break;
      case "offer.accepted":
      case "offer.rejected":
      case "offer.expired":
      case "offer.revoked":
        this.offers.delete(frame.offer_id);
        break;
      case "activity.opened":
      case "activity.updated":
        this.#refreshOffers(frame.activity);
        this.#keep(frame);
        break;
      case "activity.closed":
        this.activities.delete(frame.activity_id);
        break;
      case "waiting.changed":
        this.#refreshOffers(frame.activity);
        this.waiting.set(frame.activity.id, frame.activity);
        break;
      case "waiting.removed":
        this.waiting.delete(frame.activity_id);
        break;
      case "pause.changed":
        this.pause = frame.pause;
        break;
      case "queues.changed":
        this.queues = frame.queues;
        break;
      case "message.new":
      case "message.updated":
        this.dispatchEvent(new CustomEvent("message", { detail: frame }));
        return;
      default:
        break;
    }
    this.dispatchEvent(new CustomEvent("change", { detail: frame }));
  }

  /** An open or postponed activity the agent takes part in is kept, any other leaves. Only
   * activity.opened brings one in: two changes made side by side (a status chosen as the agent
   * leaves) publish in either order, so an update may arrive after the agent's leaving, and it
   * must not bring the tab back. */
  #keep({ type, activity }) {
    const mine = (activity.participants ?? []).some((agent) => agent.id === this.agent?.id);
    const live = activity.state === "open" || activity.state === "postponed";
    if (mine && live && (type === "activity.opened" || this.activities.has(activity.id))) {
      this.activities.set(activity.id, activity);
    } else {
      this.activities.delete(activity.id);
    }
  }

  /** A notification shows its activity as it is now (a customer's name learned late). */
  #refreshOffers(activity) {
    for (const offer of this.offers.values()) {
      if (offer.activity.id === activity.id) offer.activity = { ...offer.activity, ...activity };
    }
  }

  /** Open activities in the order their tabs show (oldest accepted first). */
  openActivities() {
    return [...this.activities.values()].filter((activity) => activity.state === "open");
  }

  postponedActivities() {
    return [...this.activities.values()].filter((activity) => activity.state === "postponed");
  }

  /** The pending notification of this agent for an activity, if any. */
  offerFor(activityId) {
    return [...this.offers.values()].find((offer) => offer.activity.id === activityId) ?? null;
  }
}
