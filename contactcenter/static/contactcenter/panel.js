/**
 * The static panel at the top: a tab per open activity (flashing while it has unread customer
 * messages), the Waiting and Postponed activities lists with their badges, the pause menu with
 * the queue log-in switches, and the sound switch. Rendered from the store on every change.
 */
import { api } from "cc/api.js";
import { tickNow } from "cc/clock.js";
import { clockTime, fill, h, setText } from "cc/dom.js";
import { isMuted, setMuted } from "cc/sound.js";
import { TabStrip } from "cc/tab_strip.js";
import { url } from "cc/urls.js";

export class Panel {
  #store;
  #screens;
  #notifications;
  #open;
  #closeDropdowns;
  #tabs;
  #unread = new Set();

  /** `open(activity)` shows an activity the agent has just taken or resumed; the list it was
   * taken from closes, as the agent's attention moves to the chat. */
  constructor({ store, screens, notifications, open }) {
    this.#store = store;
    this.#screens = screens;
    this.#notifications = notifications;
    this.#tabs = new TabStrip({ strip: document.getElementById("activity-tabs"), more: document.getElementById("tabs-more") });
    this.#closeDropdowns = this.#wireDropdowns();
    this.#open = (activity) => {
      this.#closeDropdowns();
      open(activity);
    };
    this.#wireMute();
    screens.addEventListener("shown", () => this.#renderTabs());
  }

  /** Everything; the tabs last, as they take the room the rest leaves them. */
  render() {
    this.#renderWaiting();
    this.#renderPostponed();
    this.#renderPause();
    this.#renderQueues();
    this.#renderDashboard();
    this.#renderTabs();
  }

  /** A customer wrote in an activity whose tab is not on screen: flash it until opened. A
   * postponed one has no tab: its row and the Postponed button are marked until it is resumed
   * and seen. */
  markUnread(activityId) {
    this.#unread.add(activityId);
    this.#renderPostponed();
    this.#renderTabs();
  }

  #renderTabs() {
    const shown = this.#screens.activityId;
    if (shown !== null && !document.hidden) this.#unread.delete(shown);
    this.#tabs.show(this.#store.openActivities().map((activity) => {
      const flashing = this.#unread.has(activity.id);
      const open = () => this.#screens.toggleActivity(activity.id);
      const element = h(
        "button",
        {
          type: "button",
          class: `tab${flashing ? " tab--flash" : ""}${activity.important ? " tab--important" : ""}`,
          "aria-current": shown === activity.id ? "page" : false,
          "data-activity-id": activity.id,
          title: `${activity.customer} · ${activity.queue.number} ${activity.queue.name}`,
          onclick: open,
        },
        h("span", { class: `channel-dot channel-dot--${activity.provider ?? "none"}` }),
        h("span", { class: "tab__name" }, activity.customer),
        flashing ? h("span", { class: "visually-hidden" }, " (new message)") : null,
      );
      return { element, label: activity.customer, provider: activity.provider, flashing,
        current: shown === activity.id, open };
    }));
  }

  /** Minimised notifications first (they ring this agent), then what waits in the queues. */
  #renderWaiting() {
    const minimised = this.#notifications.minimisedOffers();
    const ringingMe = new Set(minimised.map((offer) => offer.activity.id));
    const waiting = [...this.#store.waiting.values()].filter((activity) => !ringingMe.has(activity.id));
    const items = [
      ...minimised.map((offer) => this.#offerRow(offer)),
      ...waiting.map((activity) => this.#waitingRow(activity)),
    ];
    tickNow(fill("waiting-list", ...(items.length ? items : [h("li", { class: "muted" }, "Nobody is waiting.")])));
    setText("waiting-count", String(items.length));
  }

  #offerRow(offer) {
    const activity = offer.activity;
    return h(
      "li",
      { class: "activity-row activity-row--mine" },
      h("div", { class: "activity-row__who" }, h("strong", {}, activity.customer),
        h("span", { class: "muted" }, ` ${activity.queue.number} ${activity.queue.name}`)),
      h("div", { class: "activity-row__meta" }, "Ringing you · waiting ",
        h("span", { "data-since": activity.queued_at })),
      h("div", { class: "activity-row__actions" },
        h("button", { type: "button", class: "button button--small button--primary",
          onclick: (event) => this.#act(event, async () => this.#open(await api("POST", url("api-offer-accept", { offer_id: offer.id })))) }, "Accept"),
        h("button", { type: "button", class: "button button--small",
          onclick: () => this.#notifications.restore(offer.id) }, "Show notification")),
    );
  }

  #waitingRow(activity) {
    const mine = this.#store.offerFor(activity.id);
    const accept = mine
      ? () => api("POST", url("api-offer-accept", { offer_id: mine.id }))
      : () => api("POST", url("api-activity-accept", { activity_id: activity.id }));
    return h(
      "li",
      { class: "activity-row" },
      h("div", { class: "activity-row__who" }, h("strong", {}, activity.customer),
        h("span", { class: "muted" }, ` ${activity.queue.number} ${activity.queue.name}`)),
      h("div", { class: "activity-row__meta" }, "In queue ", h("span", { "data-since": activity.queued_at }),
        activity.offered_to ? ` · ringing ${activity.offered_to}` : ""),
      h("div", { class: "activity-row__actions" },
        h("button", { type: "button", class: "button button--small button--primary",
          onclick: (event) => this.#act(event, async () => this.#open(await accept())) }, "Accept")),
    );
  }

  #renderPostponed() {
    const postponed = this.#store.postponedActivities();
    const items = postponed.map((activity) =>
      h(
        "li",
        { class: `activity-row${this.#unread.has(activity.id) ? " activity-row--unread" : ""}` },
        h("div", { class: "activity-row__who" }, h("strong", {}, activity.customer),
          h("span", { class: "muted" }, ` ${activity.queue.number} ${activity.queue.name}`),
          this.#unread.has(activity.id) ? h("span", { class: "pill pill--new" }, "New message") : null),
        h("div", { class: "activity-row__meta" },
          activity.postponed_until ? `Comes back at ${clockTime(activity.postponed_until)}` : "Until you resume it"),
        h("div", { class: "activity-row__actions" },
          h("button", { type: "button", class: "button button--small button--primary",
            onclick: (event) => this.#act(event, async () =>
              this.#open(await api("POST", url("api-activity-resume", { activity_id: activity.id })))) }, "Resume")),
      ),
    );
    fill("postponed-list", ...(items.length ? items : [h("li", { class: "muted" }, "Nothing is postponed.")]));
    setText("postponed-count", String(postponed.length));
    const unread = postponed.some((activity) => this.#unread.has(activity.id));
    const button = document.getElementById("postponed-button");
    button.classList.toggle("panel-button--unread", unread);
    button.setAttribute("aria-label", unread ? "Postponed activities, new message" : "Postponed activities");
  }

  #renderPause() {
    const pause = this.#store.pause;
    const button = document.getElementById("pause-button");
    if (button) {
      button.textContent = button.title = pause ? `Paused · ${pause.reason}` : "Ready"; // cut on laptops
      button.className = `panel-button agent-state agent-state--${pause ? (pause.paid ? "paused" : "unpaid") : "ready"}`;
    }
    tickNow(fill(
      "pause-now",
      pause
        ? h("span", {}, `${pause.paid ? "Paid" : "Unpaid"} pause: ${pause.reason}, for `, h("span", { "data-since": pause.started_at }))
        : "You are ready for notifications.",
    ));
    const reasons = this.#store.pauseReasons.map((reason) =>
      h("li", {}, h("button", {
        type: "button", class: "menu-item", "aria-pressed": pause?.reason === reason.name ? "true" : "false",
        onclick: (event) => this.#act(event, () => api("POST", url("api-pause"), { reason: reason.id })),
      }, reason.name, reason.paid ? "" : h("span", { class: "muted" }, " (unpaid)"))),
    );
    if (pause) {
      reasons.unshift(h("li", {}, h("button", {
        type: "button", class: "menu-item menu-item--primary",
        onclick: (event) => this.#act(event, () => api("DELETE", url("api-pause"))),
      }, "End pause: I am ready")));
    }
    fill("pause-reasons", ...reasons);
  }

  #renderQueues() {
    const switches = this.#store.queues.map((membership) => {
      const { queue, logged_in: loggedIn } = membership;
      return h("li", {}, h("label", { class: "switch" },
        h("input", {
          type: "checkbox", role: "switch", checked: loggedIn,
          onchange: (event) => this.#act(event, () =>
            api("POST", url(event.target.checked ? "api-queue-login" : "api-queue-logout", { queue_id: queue.id }))),
        }),
        h("span", {}, h("span", { class: "queue-number" }, String(queue.number)), ` ${queue.name}`)));
    });
    fill("queue-switches", ...switches);
  }

  #renderDashboard() {
    const queues = this.#store.queues.map(({ queue, logged_in: loggedIn }) =>
      h("li", {}, h("span", { class: "queue-number" }, String(queue.number)), ` ${queue.name} `,
        h("span", { class: `pill ${loggedIn ? "pill--on" : "pill--off"}` }, loggedIn ? "logged in" : "logged out")));
    if (queues.length) fill("dashboard-queues", ...queues);
    setText("dashboard-open", String(this.#store.openActivities().length));
    setText("dashboard-waiting", String(this.#store.waiting.size));
    setText("dashboard-postponed", String(this.#store.postponedActivities().length));
  }

  /** Run an action from a button; a refusal is shown as a toast-like alert near the panel. */
  async #act(event, action) {
    const control = event.currentTarget;
    control.disabled = true;
    try {
      await action();
    } catch (error) {
      document.dispatchEvent(new CustomEvent("cc:error", { detail: error.message }));
    } finally {
      control.disabled = false;
    }
  }

  /** Each dropdown opens by its button and closes on a click elsewhere or Escape; returns the
   * function that closes them all. */
  #wireDropdowns() {
    const dropdowns = [...document.querySelectorAll("[data-dropdown]")];
    const close = (except = null) => {
      for (const dropdown of dropdowns) {
        if (dropdown === except) continue;
        dropdown.querySelector(".dropdown__panel").hidden = true;
        dropdown.querySelector("[aria-expanded]").setAttribute("aria-expanded", "false");
      }
    };
    for (const dropdown of dropdowns) {
      const button = dropdown.querySelector("[aria-expanded]");
      const panel = dropdown.querySelector(".dropdown__panel");
      button.addEventListener("click", () => {
        close(dropdown);
        panel.hidden = !panel.hidden;
        button.setAttribute("aria-expanded", String(!panel.hidden));
      });
    }
    document.addEventListener("click", (event) => {
      if (!event.target.closest("[data-dropdown]")) close();
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") close();
    });
    return close;
  }

  #wireMute() {
    const button = document.getElementById("mute-button");
    const show = () => {
      button.setAttribute("aria-pressed", String(isMuted()));
      button.textContent = isMuted() ? "Sound off" : "Sound on";
    };
    button.addEventListener("click", () => {
      setMuted(!isMuted());
      show();
    });
    show();
  }
}
