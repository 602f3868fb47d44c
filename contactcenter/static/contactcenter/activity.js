/**
 * The activity screens: one per open tab, loaded from the server with htmx when first shown (its
 * widgets in the queue's layout) and kept while the tab is open, so a draft survives switching
 * tabs. When the activity changes, the widgets beside the chat are drawn again; the message
 * widget (messaging's script) keeps its chat live itself.
 */
import { h } from "cc/dom.js";
import { loadFragment } from "cc/fragments.js";
import { url } from "cc/urls.js";

export class Activities {
  #store;
  #screens;
  #root;
  #MessageWidget;
  #open = new Map(); // activity id -> ActivityScreen

  /** `MessageWidget` drives a screen's message widget: the page gives messaging's, so the
   * screens' shell names no app. */
  constructor({ store, screens, root, MessageWidget }) {
    this.#store = store;
    this.#screens = screens;
    this.#root = root;
    this.#MessageWidget = MessageWidget;
    screens.addEventListener("shown", () => this.#showCurrent());
  }

  /** After any change: drop the screens of activities no longer open for this agent. */
  sync() {
    for (const [id, screen] of this.#open) {
      const activity = this.#store.activities.get(id);
      if (activity?.state === "open") {
        screen.update(activity);
      } else {
        this.#close(id);
      }
    }
    this.#showCurrent();
  }

  onMessage(frame) {
    this.#open.get(frame.activity_id)?.onMessage(frame);
  }

  #showCurrent() {
    const id = this.#screens.activityId;
    if (id === null || this.#open.has(id) || this.#store.agent === null) return;
    if (this.#store.activities.get(id)?.state !== "open") {
      this.#screens.show("dashboard");
      return;
    }
    const section = h("section", { class: "screen screen--activity", "data-screen": `activity-${id}`,
      "aria-label": `Activity: ${this.#store.activities.get(id).customer}` });
    this.#root.append(section);
    const screen = new ActivityScreen({ id, section, store: this.#store, MessageWidget: this.#MessageWidget,
      onGone: () => this.#close(id) });
    this.#open.set(id, screen);
    this.#screens.refresh();
    screen.load();
  }

  #close(id) {
    this.#open.get(id)?.remove();
    this.#open.delete(id);
    this.#screens.leaveActivity(id);
  }
}

class ActivityScreen {
  #id;
  #section;
  #store;
  #MessageWidget;
  #onGone;
  #widget = null; // the message widget's script, once the screen is loaded
  #shown = null; // the activity as last shown: the store replaces it when it changes

  constructor({ id, section, store, MessageWidget, onGone }) {
    this.#id = id;
    this.#section = section;
    this.#store = store;
    this.#MessageWidget = MessageWidget;
    this.#onGone = onGone;
  }

  /** The screen's fragment, swapped into its own section only: a refusal or a failure never
   * reaches the rest of the page. The server answers 404 when the activity is no longer the
   * agent's (closed or transferred a moment ago): the screen closes quietly, and its tab goes
   * when the store hears of it. */
  async load() {
    const { status, ok } = await loadFragment(url("activity-screen", { activity_id: this.#id }), this.#section);
    if (!this.#section.isConnected) return; // closed while it loaded
    if (status === 404) {
      this.#onGone();
      return;
    }
    const element = ok ? this.#section.querySelector(".widget--message") : null;
    if (!element) {
      this.#section.replaceChildren(h("p", { class: "card" }, "This activity could not be loaded; reload the page."));
      return;
    }
    this.#widget = new this.#MessageWidget({ element, activityId: this.#id, store: this.#store });
    this.update(this.#store.activities.get(this.#id));
  }

  remove() {
    this.#section.remove();
  }

  onMessage(frame) {
    this.#widget?.onMessage(frame);
  }

  /** The activity changed (status, importance, who takes part): the message widget shows it,
   * and the widgets beside it are drawn again. */
  update(activity) {
    if (!this.#widget || !activity || activity === this.#shown) return;
    if (this.#shown !== null) this.#refreshWidgets();
    this.#shown = activity;
    this.#section.setAttribute("aria-label", `Activity: ${activity.customer}`);
    this.#widget.update(activity);
  }

  /** The CRM and ticket widgets show the activity's contact and ticket: draw them again. A
   * refresh that fails leaves the widget as it was; one answered 404 means the activity is no
   * longer the agent's (they left or closed it a moment ago), so the screen closes quietly,
   * as when its screen is answered 404 (`load`). */
  #refreshWidgets() {
    for (const widget of this.#section.querySelectorAll("[data-widget-url]")) {
      loadFragment(widget.dataset.widgetUrl, widget, { swap: "outerHTML" }).then(({ status }) => {
        if (status === 404 && this.#section.isConnected) this.#onGone();
      });
    }
  }
}
