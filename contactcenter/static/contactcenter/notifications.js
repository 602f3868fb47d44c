/**
 * The notifications: a black card per offer ringing this agent, with the customer, the queue,
 * time in queue, time since it rang and the deadline's countdown, Accept, Reject and the
 * queue's URL button. The stack of cards can be dragged anywhere by a card's top strip (the
 * place is kept in this browser) and cards never overlap; the arrow minimises a card into
 * Waiting activities, from where it can be accepted or shown again.
 */
import { ApiError, api } from "cc/api.js";
import { msSince, tickNow } from "cc/clock.js";
import { CHANNEL_NAMES, h } from "cc/dom.js";
import { hasUrl, url } from "cc/urls.js";

const POSITION_KEY = "cc.notifications.position";
const MINIMISED_KEY = "cc.notifications.minimised";

const KIND_TEXT = {
  route: () => "New message",
  transfer: (offer) => `Transferred by ${offer.sent_by?.display_name ?? "a colleague"}`,
  invite: (offer) => `Invitation from ${offer.sent_by?.display_name ?? "a colleague"}`,
};

export class Notifications extends EventTarget {
  #store;
  #root;
  #cards = new Map();
  #minimised = new Set(JSON.parse(localStorage.getItem(MINIMISED_KEY) ?? "[]"));

  constructor({ store, root }) {
    super();
    this.#store = store;
    this.#root = root;
    this.#placeSaved();
    window.addEventListener("resize", () => this.#clamp());
  }

  render() {
    const offers = [...this.#store.offers.values()];
    for (const id of [...this.#minimised]) {
      if (!this.#store.offers.has(id)) this.#minimised.delete(id);
    }
    this.#saveMinimised();
    for (const [id, card] of this.#cards) {
      if (!this.#store.offers.has(id) || this.#minimised.has(id)) {
        card.remove();
        this.#cards.delete(id);
      }
    }
    for (const offer of offers) {
      if (this.#minimised.has(offer.id)) continue;
      if (this.#cards.has(offer.id)) {
        this.#renameCard(this.#cards.get(offer.id), offer.activity);
        continue;
      }
      const card = this.#card(offer);
      this.#cards.set(offer.id, card);
      this.#root.append(card);
      tickNow(card);
    }
    this.#clamp();
  }

  minimisedOffers() {
    return [...this.#store.offers.values()].filter((offer) => this.#minimised.has(offer.id));
  }

  minimise(offerId) {
    this.#minimised.add(offerId);
    this.render();
    this.dispatchEvent(new CustomEvent("minimised"));
  }

  restore(offerId) {
    this.#minimised.delete(offerId);
    this.render();
    this.dispatchEvent(new CustomEvent("minimised"));
  }

  #card(offer) {
    const activity = offer.activity;
    const error = h("p", { class: "notification__error", role: "alert" });
    const act = async (event, action) => {
      for (const button of card.querySelectorAll("button")) button.disabled = true;
      try {
        await action();
      } catch (failure) {
        error.textContent = failure instanceof ApiError ? failure.message : String(failure);
        for (const button of card.querySelectorAll("button")) button.disabled = false;
      }
    };
    const elapsed = Math.max(0, msSince(offer.created_at) / 1000);
    // Set through the style object: a style attribute is inline style, which the page's
    // Content-Security-Policy refuses.
    const bar = h("span");
    bar.style.animationDuration = `${offer.timeout_seconds}s`;
    bar.style.animationDelay = `-${elapsed}s`;
    const card = h(
      "article",
      { class: "notification", "aria-label": `Notification: ${activity.customer}`, "data-offer-id": offer.id,
        "data-customer": activity.customer },
      h("header", { class: "notification__grip", title: "Drag to move" },
        h("span", { class: "notification__kind" }, KIND_TEXT[offer.kind](offer)),
        h("span", { class: "notification__countdown", "data-until": offer.deadline, title: "Time left to answer" })),
      h("div", { class: "notification__bar" }, bar),
      h("p", { class: "notification__customer" }, ...this.#who(activity),
        activity.provider ? h("span", { class: `channel channel--${activity.provider}` }, CHANNEL_NAMES[activity.provider]) : null),
      h("dl", { class: "notification__facts" },
        h("div", {}, h("dt", {}, "Queue"), h("dd", {}, `${offer.queue.number} ${offer.queue.name}`)),
        this.#wait(offer),
        h("div", {}, h("dt", {}, "Notified"), h("dd", { "data-since": offer.created_at }))),
      h("footer", { class: "notification__actions" },
        h("button", { type: "button", class: "notification__minimise", title: "Minimise into Waiting activities",
          "aria-label": "Minimise into Waiting activities", onclick: () => this.minimise(offer.id) }, "\u2199"),
        h("span", { class: "notification__spacer" }),
        h("button", { type: "button", class: "button button--accept",
          onclick: (event) => act(event, async () => {
            const opened = await api("POST", url("api-offer-accept", { offer_id: offer.id }));
            this.dispatchEvent(new CustomEvent("accepted", { detail: opened }));
          }) }, "Accept"),
        h("button", { type: "button", class: "button button--reject",
          onclick: (event) => act(event, () => api("POST", url("api-offer-reject", { offer_id: offer.id }))) }, "Reject"),
        activity.admin_url
          ? h("a", { class: "button button--white", href: activity.admin_url, target: "_blank",
              rel: "noopener noreferrer", title: "Open the queue's page for this activity" }, "URL")
          : null),
      error,
    );
    card.querySelector(".notification__grip").addEventListener("pointerdown", (event) => this.#drag(event));
    return card;
  }

  /** How long the customer has waited: in the queue for a new message; for a chat handed on
   * or shared, since their message still unanswered: when the chat first queued says nothing
   * of how long the customer waits now. */
  #wait(offer) {
    const activity = offer.activity;
    if (offer.kind === "route") return h("div", {}, h("dt", {}, "In queue"), h("dd", { "data-since": activity.queued_at }));
    const since = activity.awaiting_reply_since;
    return h("div", {}, h("dt", {}, "Customer waits"), since ? h("dd", { "data-since": since }) : h("dd", {}, "Answered"));
  }

  /** A card whose customer is now known by name (their provider told it late). */
  #renameCard(card, activity) {
    const customer = card.querySelector(".notification__customer");
    if (card.dataset.customer === activity.customer) return;
    card.dataset.customer = activity.customer;
    card.setAttribute("aria-label", `Notification: ${activity.customer}`);
    customer.replaceChildren(...this.#who(activity).filter(Boolean), ...customer.querySelectorAll(".channel"));
  }

  /** The customer's name and company, opening their CRM records once paired with a contact
   * (where the CRM is installed: it gives the page its records' URLs). */
  #who(activity) {
    const contact = activity.contact;
    if (!contact || !hasUrl("crm:contact")) return [h("strong", {}, activity.customer)];
    const record = (name, id, text) =>
      h("button", { type: "button", class: "notification__link", "data-open": "crm",
        "data-url": url(name, { pk: id }), title: "Open in the CRM" }, text);
    return [record("crm:contact", contact.id, contact.name),
      contact.account ? record("crm:account", contact.account.id, contact.account.name) : null];
  }

  #drag(event) {
    const start = { x: event.clientX, y: event.clientY };
    const box = this.#root.getBoundingClientRect();
    const grip = event.currentTarget;
    grip.setPointerCapture(event.pointerId);
    const move = (moved) => {
      this.#place(box.left + moved.clientX - start.x, box.top + moved.clientY - start.y);
    };
    const stop = () => {
      grip.removeEventListener("pointermove", move);
      grip.removeEventListener("pointerup", stop);
      const placed = this.#root.getBoundingClientRect();
      localStorage.setItem(POSITION_KEY, JSON.stringify({ left: placed.left, top: placed.top }));
    };
    grip.addEventListener("pointermove", move);
    grip.addEventListener("pointerup", stop);
  }

  #placeSaved() {
    const saved = JSON.parse(localStorage.getItem(POSITION_KEY) ?? "null");
    if (saved) this.#place(saved.left, saved.top);
  }

  #place(left, top) {
    this.#root.style.left = `${left}px`;
    this.#root.style.top = `${top}px`;
    this.#root.style.right = "auto";
    this.#clamp();
  }

  /** Keep the stack on screen when the window shrinks or a card is added. */
  #clamp() {
    if (this.#root.style.left === "") return;
    const box = this.#root.getBoundingClientRect();
    const left = Math.min(Math.max(0, box.left), Math.max(0, window.innerWidth - box.width));
    const top = Math.min(Math.max(0, box.top), Math.max(0, window.innerHeight - Math.min(box.height, 120)));
    this.#root.style.left = `${left}px`;
    this.#root.style.top = `${top}px`;
  }

  #saveMinimised() {
    localStorage.setItem(MINIMISED_KEY, JSON.stringify([...this.#minimised]));
  }
}
