/**
 * The activity screens: one per open tab, loaded from the server when first shown (its widgets
 * in the queue's layout) and kept while the tab is open, so a draft survives switching tabs.
 * The message widget's history stays live: new messages, delivery ticks and the activity's
 * events arrive over the websocket.
 */
import { ApiError, api } from "cc/api.js";
import { earlierChatItem, eventItem, historyItems, messageItem } from "cc/chat.js";
import { Composer } from "cc/composer.js";
import { askPostpone, pickTarget } from "cc/dialogs.js";
import { h } from "cc/dom.js";

export class Activities {
  #store;
  #screens;
  #root;
  #urls;
  #open = new Map(); // activity id -> ActivityScreen

  constructor({ store, screens, root, urls }) {
    this.#store = store;
    this.#screens = screens;
    this.#root = root;
    this.#urls = urls;
    screens.addEventListener("shown", () => this.#showCurrent());
  }

  /** After any change: drop the screens of activities no longer open for this agent. */
  sync() {
    for (const [id, screen] of this.#open) {
      const activity = this.#store.activities.get(id);
      if (activity?.state === "open") {
        screen.update(activity);
      } else {
        screen.remove();
        this.#open.delete(id);
        this.#screens.leaveActivity(id);
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
    const screen = new ActivityScreen({ id, section, store: this.#store, urls: this.#urls });
    this.#open.set(id, screen);
    this.#screens.refresh();
    screen.load();
  }
}

class ActivityScreen {
  #id;
  #section;
  #store;
  #urls;
  #composer = null;
  #lastEventId = 0;
  #oldestLoaded;
  #loaded = false;
  #shown = null; // the activity as last shown: the store replaces it when it changes

  constructor({ id, section, store, urls }) {
    this.#id = id;
    this.#section = section;
    this.#store = store;
    this.#urls = urls;
    this.#oldestLoaded = id;
  }

  async load() {
    const response = await fetch(this.#urls.activity.replace("/0/", `/${this.#id}/`), { credentials: "same-origin" });
    if (!response.ok) {
      this.#section.replaceChildren(h("p", { class: "card" }, "This activity could not be loaded; reload the page."));
      return;
    }
    // Server-rendered from our own templates; customer text in it is escaped by Django.
    this.#section.innerHTML = await response.text();
    window.htmx.process(this.#section);
    const widget = this.#section.querySelector(".widget--message");
    const data = JSON.parse(widget.querySelector("script[type='application/json']").textContent);
    this.#renderHistory(data.history);
    const form = widget.querySelector(".composer");
    if (form) {
      this.#composer = new Composer({ form, activityId: this.#id, rules: data.composer, templates: data.templates,
        emojiUrl: this.#urls.emoji, onSent: (messages) => messages.forEach((message) => this.#upsert(message)) });
    }
    this.#wireControls(widget);
    this.#loaded = true;
    this.update(this.#store.activities.get(this.#id));
  }

  remove() {
    this.#section.remove();
  }

  onMessage(frame) {
    if (!this.#loaded) return;
    this.#upsert(frame.message);
    if (frame.type === "message.new" && frame.message.direction === "in") this.#composer?.refreshWindow();
  }

  /** The activity changed (status, importance, who takes part): show it, and fetch the new
   * lines of its history. */
  update(activity) {
    if (!this.#loaded || !activity || activity === this.#shown) return;
    if (this.#shown !== null) this.#refreshWidgets();
    this.#shown = activity;
    this.#showControls(activity);
    this.#fetchEvents();
  }

  #showControls(activity) {
    if (!activity) return;
    const widget = this.#section.querySelector(".widget--message");
    widget.querySelector(".controls__status").value = activity.status ? String(activity.status.id) : "";
    widget.querySelector(".controls__important").setAttribute("aria-pressed", String(activity.important));
    const shared = (activity.participants ?? []).length > 1;
    widget.querySelector(".controls__close").textContent = shared ? "Leave" : "Close";
  }

  /** The CRM and ticket widgets show the activity's contact and ticket: draw them again. */
  #refreshWidgets() {
    for (const widget of this.#section.querySelectorAll("[data-widget-url]")) {
      window.htmx.ajax("GET", widget.dataset.widgetUrl, { target: widget, swap: "outerHTML" });
    }
  }

  get #items() {
    return this.#section.querySelector(".chat__items");
  }

  #renderHistory(history) {
    this.#items.replaceChildren(...historyItems(history, { onRetry: (message) => this.#retry(message) }));
    this.#lastEventId = Math.max(0, ...history.events.map((event) => event.id));
    this.#scrollToEnd(true);
  }

  /** Add a message, or replace it where it is shown (a status or file changed). */
  #upsert(message) {
    const item = messageItem(message, { onRetry: (failed) => this.#retry(failed) });
    const existing = this.#items.querySelector(`[data-message-id="${message.id}"]`);
    if (existing) {
      existing.replaceWith(item);
      return;
    }
    const stick = this.#nearEnd();
    this.#insertInOrder(item);
    if (stick) this.#scrollToEnd();
  }

  #insertInOrder(item) {
    const at = new Date(item.dataset.created);
    const later = [...this.#items.children].reverse().find((other) => other.dataset.created && new Date(other.dataset.created) <= at);
    if (later) later.after(item);
    else this.#items.prepend(item);
  }

  async #fetchEvents() {
    try {
      const page = await api("GET", `activities/${this.#id}/events/?after=${this.#lastEventId}&page_size=200`);
      const stick = this.#nearEnd();
      for (const event of page.results) {
        if (event.id <= this.#lastEventId) continue;
        this.#lastEventId = event.id;
        this.#insertInOrder(eventItem(event));
      }
      if (stick) this.#scrollToEnd();
    } catch {
      // Not taking part any more (the tab is closing), or offline: the next update retries.
    }
  }

  #nearEnd() {
    const chat = this.#section.querySelector(".chat");
    return chat.scrollHeight - chat.scrollTop - chat.clientHeight < 80;
  }

  #scrollToEnd(now = false) {
    const chat = this.#section.querySelector(".chat");
    const scroll = () => { chat.scrollTop = chat.scrollHeight; };
    if (now) scroll();
    requestAnimationFrame(scroll);
  }

  async #retry(message) {
    try {
      this.#upsert(await api("POST", `messages/${message.id}/retry/`));
    } catch (error) {
      this.#error(error.message);
    }
  }

  async #loadOlder(button) {
    button.disabled = true;
    try {
      const earlier = await api("GET", `activities/${this.#id}/earlier/?before=${this.#oldestLoaded}`);
      button.hidden = !earlier.has_more;
      if (!earlier.activity) return;
      this.#oldestLoaded = earlier.activity.id;
      const chat = this.#section.querySelector(".chat");
      const fromBottom = chat.scrollHeight - chat.scrollTop;
      this.#items.prepend(earlierChatItem(earlier.activity), ...historyItems(earlier));
      chat.scrollTop = chat.scrollHeight - fromBottom;
    } catch (error) {
      this.#error(error.message);
    } finally {
      button.disabled = false;
    }
  }

  #error(text) {
    this.#section.querySelector(".controls__error").textContent = text;
  }

  #wireControls(widget) {
    const act = async (control, action) => {
      control.disabled = true;
      this.#error("");
      try {
        await action();
      } catch (error) {
        this.#error(error instanceof ApiError ? error.message : String(error));
        this.#showControls(this.#store.activities.get(this.#id));
      } finally {
        control.disabled = false;
      }
    };
    const path = (action) => `activities/${this.#id}/${action}/`;
    widget.querySelector(".chat__older").addEventListener("click", (event) => this.#loadOlder(event.currentTarget));
    const status = widget.querySelector(".controls__status");
    status.addEventListener("change", () =>
      act(status, () => api("POST", path("status"), { status: status.value ? Number(status.value) : null })));
    const important = widget.querySelector(".controls__important");
    important.addEventListener("click", () =>
      act(important, () => api("POST", path("important"), { important: important.getAttribute("aria-pressed") !== "true" })));
    const target = (title, submitText, action) =>
      pickTarget({ title, submitText, url: this.#urls.targets, action: (chosen) => api("POST", path(action), chosen) });
    widget.querySelector(".controls__invite").addEventListener("click", () => target("Invite to activity", "Invite", "invite"));
    widget.querySelector(".controls__transfer").addEventListener("click", () => target("Transfer activity", "Transfer", "transfer"));
    widget.querySelector(".controls__postpone").addEventListener("click", () =>
      askPostpone({ action: (chosen) => api("POST", path("postpone"), chosen) }));
    const close = widget.querySelector(".controls__close");
    close.addEventListener("click", () => {
      const activity = this.#store.activities.get(this.#id);
      if ((activity?.participants ?? []).length > 1) {
        act(close, () => api("POST", path("leave")));
        return;
      }
      if (status.options.length > 1 && !status.value) {
        this.#error("Choose a status before closing.");
        status.focus();
        return;
      }
      act(close, () => api("POST", path("close"), { status: status.value ? Number(status.value) : null }));
    });
  }
}
