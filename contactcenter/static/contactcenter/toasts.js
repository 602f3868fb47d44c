/**
 * Toasts: the reminders the server sends for activities the agent is not looking at (a click
 * opens the activity), calendar follow-ups that come due, refusals of actions taken outside any
 * form, and notices.
 */
import { h } from "cc/dom.js";

const REMINDER_TEXT = {
  unanswered: (title) => `${title} is waiting for your answer`,
  new_message: (title) => `New message from ${title}`,
  postponed_due: (title) => `${title} is back from postponement`,
};
const SHOWN_MS = 12_000;

export class Toasts {
  #root;
  #screens;

  constructor({ root, screens }) {
    this.#root = root;
    this.#screens = screens;
    document.addEventListener("cc:error", (event) => this.show({ text: event.detail, kind: "error" }));
    document.addEventListener("cc:notice", (event) => this.show({ text: event.detail, kind: "notice" }));
  }

  reminder(frame) {
    const text = (REMINDER_TEXT[frame.reason] ?? ((title) => `Reminder: ${title}`))(frame.title);
    this.show({ text, kind: "reminder", onOpen: () => this.#screens.show(`activity-${frame.activity_id}`) });
  }

  /** A follow-up is due: a click opens its chat while the agent still takes part in it, else
   * starts a new message to its customer, else shows the calendar. Stays until dismissed. */
  followUp(frame, modules) {
    const { activity_id: activityId, customer } = frame;
    const onOpen = () => {
      if (activityId !== null) this.#screens.show(`activity-${activityId}`);
      else if (customer) modules.newMessage(customer.provider, String(customer.identity_id));
      else this.#screens.show("calendar");
    };
    const text = frame.description ? `${frame.title} \u2014 ${frame.description}` : frame.title;
    this.show({ text, kind: "reminder", onOpen, sticky: true });
  }

  /** The customer of a postponed activity wrote: the agent is told, the chat stays postponed
   * (the Postponed list, marked, resumes it). */
  postponedMessage(activity) {
    this.show({ text: `${activity.customer} wrote in a postponed chat`, kind: "notice" });
  }

  show({ text, kind, onOpen = null, sticky = false }) {
    const dismiss = () => toast.remove();
    const body = onOpen
      ? h("button", { type: "button", class: "toast__open", onclick: () => { onOpen(); dismiss(); } }, text)
      : h("span", { class: "toast__text" }, text);
    const toast = h("div", { class: `toast toast--${kind}`, role: kind === "error" ? "alert" : "status" }, body,
      h("button", { type: "button", class: "toast__close", "aria-label": "Dismiss", onclick: dismiss }, "\u00d7"));
    this.#root.append(toast);
    if (!sticky) setTimeout(dismiss, SHOWN_MS);
  }
}
