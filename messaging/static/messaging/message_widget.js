/**
 * The message widget of an activity's screen (messaging/widgets/message.html), once the
 * workspace has loaded the screen: the chat so far, drawn from the JSON the widget carries and
 * kept live (new messages and delivery ticks from the websocket, the activity's events fetched
 * when it changes), earlier chats on demand (the one a customer answers, at once), a failed
 * send's Retry, the composer, and the controls bar (status, important, invite, transfer,
 * postpone, close or leave).
 */
import { ApiError, api } from "cc/api.js";
import { askPostpone, pickTarget } from "cc/dialogs.js";
import { url } from "cc/urls.js";
import { earlierChatItem, eventItem, historyItems, messageItem } from "messaging/chat.js";
import { Composer } from "messaging/composer.js";

export class MessageWidget {
  #element;
  #activityId;
  #store;
  #composer = null;
  #lastEventId = 0;
  #oldestLoaded;

  /** `element`: the widget as the server rendered it; `store`: the workspace's, which knows
   * who takes part in the activity now. */
  constructor({ element, activityId, store }) {
    this.#element = element;
    this.#activityId = activityId;
    this.#store = store;
    this.#oldestLoaded = activityId;
    const data = JSON.parse(element.querySelector("script[type='application/json']").textContent);
    this.#renderHistory(data.history);
    const form = element.querySelector(".composer");
    if (form) {
      this.#composer = new Composer({ form, activityId, rules: data.composer, templates: data.templates,
        onSent: (messages) => messages.forEach((message) => this.#upsert(message)) });
    }
    this.#wireControls();
    this.#keepEndInView();
    if (data.history.show_older) this.#loadOlder(element.querySelector(".chat__older"));
  }

  /** While the latest message is in view it stays there when the chat's box shrinks (a refusal
   * under the controls, the template form, a longer draft): those must not hide it. */
  #keepEndInView() {
    const chat = this.#element.querySelector(".chat");
    let atEnd = true;
    chat.addEventListener("scroll", () => { atEnd = this.#nearEnd(); });
    new ResizeObserver(() => { if (atEnd) chat.scrollTop = chat.scrollHeight; }).observe(chat);
  }

  /** A message of this activity arrived or changed (a websocket frame). */
  onMessage(frame) {
    this.#upsert(frame.message);
    if (frame.type === "message.new" && frame.message.direction === "in") this.#composer?.refreshWindow();
  }

  /** The activity changed (status, importance, who takes part, the customer's name): show it, and fetch the new
   * lines of its history. */
  update(activity) {
    this.#showControls(activity);
    this.#fetchEvents();
  }

  #showControls(activity) {
    if (!activity) return;
    this.#element.querySelector(".widget__customer").textContent = activity.customer;
    const owner = activity.owner?.id === this.#store.agent?.id; // ownership passes on when the owner leaves
    for (const control of this.#element.querySelectorAll(".controls__owned")) control.hidden = !owner;
    this.#element.querySelector(".controls__status").value = activity.status ? String(activity.status.id) : "";
    this.#element.querySelector(".controls__important").setAttribute("aria-pressed", String(activity.important));
    const shared = (activity.participants ?? []).length > 1;
    this.#element.querySelector(".controls__close").textContent = shared ? "Leave" : "Close";
  }

  get #items() {
    return this.#element.querySelector(".chat__items");
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
      const page = await api("GET", url("api-activity-events", { pk: this.#activityId },
        { after: this.#lastEventId, page_size: 200 }));
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
    const chat = this.#element.querySelector(".chat");
    return chat.scrollHeight - chat.scrollTop - chat.clientHeight < 80;
  }

  #scrollToEnd(now = false) {
    const chat = this.#element.querySelector(".chat");
    const scroll = () => { chat.scrollTop = chat.scrollHeight; };
    if (now) scroll();
    requestAnimationFrame(scroll);
  }

  async #retry(message) {
    try {
      this.#upsert(await api("POST", url("api-message-retry", { message_id: message.id })));
    } catch (error) {
      this.#error(error.message);
    }
  }

  async #loadOlder(button) {
    button.disabled = true;
    try {
      const earlier = await api("GET", url("api-activity-earlier", { activity_id: this.#activityId },
        { before: this.#oldestLoaded }));
      button.hidden = !earlier.has_more;
      if (!earlier.activity) return;
      this.#oldestLoaded = earlier.activity.id;
      const chat = this.#element.querySelector(".chat");
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
    this.#element.querySelector(".controls__error").textContent = text;
  }

  #wireControls() {
    const widget = this.#element;
    const act = async (control, action) => {
      control.disabled = true;
      this.#error("");
      try {
        await action();
      } catch (error) {
        this.#error(error instanceof ApiError ? error.message : String(error));
        this.#showControls(this.#store.activities.get(this.#activityId));
      } finally {
        control.disabled = false;
      }
    };
    const post = (name, body = undefined) => api("POST", url(name, { activity_id: this.#activityId }), body);
    widget.querySelector(".chat__older").addEventListener("click", (event) => this.#loadOlder(event.currentTarget));
    const status = widget.querySelector(".controls__status");
    status.addEventListener("change", () =>
      act(status, () => post("api-activity-status", { status: status.value ? Number(status.value) : null })));
    const important = widget.querySelector(".controls__important");
    important.addEventListener("click", () =>
      act(important, () => post("api-activity-important", { important: important.getAttribute("aria-pressed") !== "true" })));
    const target = (title, submitText, name) =>
      pickTarget({ title, submitText, action: (chosen) => post(name, chosen) });
    widget.querySelector(".controls__invite").addEventListener("click", () =>
      target("Invite to activity", "Invite", "api-activity-invite"));
    widget.querySelector(".controls__transfer").addEventListener("click", () =>
      target("Transfer activity", "Transfer", "api-activity-transfer"));
    widget.querySelector(".controls__postpone").addEventListener("click", () =>
      askPostpone({ action: (chosen) => post("api-activity-postpone", chosen) }));
    const close = widget.querySelector(".controls__close");
    close.addEventListener("click", () => {
      const activity = this.#store.activities.get(this.#activityId);
      if ((activity?.participants ?? []).length > 1) {
        act(close, () => post("api-activity-leave"));
        return;
      }
      if (status.options.length > 1 && !status.value) {
        this.#error("Choose a status before closing.");
        status.focus();
        return;
      }
      act(close, () => post("api-activity-close", { status: status.value ? Number(status.value) : null }));
    });
  }
}
