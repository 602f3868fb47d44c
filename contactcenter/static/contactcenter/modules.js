/**
 * The server-rendered parts of the workspace, driven by htmx: the CRM and Ticket modules (a
 * record opens in its module, in front or in the background), tabs inside widgets, read-only
 * transcripts, a widget's Insert into reply, and the Send new message window.
 */
import { loadFragment } from "cc/fragments.js";
import { url } from "cc/urls.js";
import { historyItems } from "messaging/chat.js";

export class Modules {
  #screens;
  #open;
  #home = document.getElementById("home-button");
  #waitingIn = null; // the module where a page opened in the background waits to be seen

  /** `open(activity)` shows an activity just started from the Send new message window. */
  constructor({ screens, open }) {
    this.#screens = screens;
    this.#open = open;
    this.#home.addEventListener("click", () => screens.show(this.#waitingIn ?? screens.home));
    screens.addEventListener("shown", (event) => {
      if (event.detail === this.#waitingIn) this.#markHome(null);
    });
    document.addEventListener("click", (event) => this.#click(event));
    document.addEventListener("change", (event) => this.#insertTemplate(event));
    document.body.addEventListener("htmx:afterSwap", (event) => renderTranscripts(event.target));
    latestActionWins();
    document.body.addEventListener("cc:conversation", (event) => this.#conversation(event.detail));
  }

  /** Show the page at `address` in a module's screen; in the background the agent stays where
   * they are. */
  openIn(module, address, { background = false } = {}) {
    const container = document.querySelector(`[data-screen="${module}"] .module`);
    if (!container) return;
    loadFragment(address, container);
    if (background) {
      this.#markHome(module);
      document.dispatchEvent(new CustomEvent("cc:notice", { detail: "Opened in the background: click Home to view it." }));
    } else {
      this.#screens.show(module);
    }
  }

  /** The Home button leads to `module` and is marked while a page waits there (null: none). */
  #markHome(module) {
    this.#waitingIn = module;
    this.#home.classList.toggle("home-button--waiting", module !== null);
    this.#home.setAttribute("aria-label", module === null ? "Home" : "Home, a page opened in the background");
  }

  /** The Send new message window, opened once its form is loaded. One that cannot be loaded
   * is not opened (the agent is told); a second click while the first loads leaves it to the
   * first. */
  async newMessage(provider, identity = "", ticket = "") {
    const dialog = document.getElementById("new-message-dialog");
    const body = document.getElementById("new-message-body");
    const { status, ok } = await loadFragment(url("new-message", {}, { provider, identity, ticket }), body);
    if (status === null) return;
    if (!ok) {
      document.dispatchEvent(new CustomEvent("cc:error", { detail: "The new message window could not be loaded; try again." }));
      return;
    }
    if (!dialog.open) dialog.showModal();
  }

  #click(event) {
    const opener = event.target.closest("[data-open]");
    if (opener) {
      event.preventDefault();
      this.openIn(opener.dataset.open, opener.dataset.url, { background: opener.hasAttribute("data-background") });
      return;
    }
    const channel = event.target.closest("[data-new-message]");
    if (channel) {
      this.newMessage(channel.dataset.newMessage, channel.dataset.identity ?? "", channel.dataset.ticket ?? "");
      return;
    }
    const insert = event.target.closest("[data-insert-reply]");
    if (insert) {
      this.#insertIntoReply(insert);
      return;
    }
    const tab = event.target.closest("[data-tabs] [data-tab]");
    if (tab) {
      const widget = tab.closest("[data-tabs]");
      for (const other of widget.querySelectorAll("[data-tab]")) {
        other.setAttribute("aria-selected", String(other === tab));
      }
      for (const panel of widget.querySelectorAll("[data-tab-panel]")) {
        panel.hidden = panel.dataset.tabPanel !== tab.dataset.tab;
      }
      return;
    }
    if (event.target.closest("#new-message-dialog [data-dialog-cancel]")) {
      document.getElementById("new-message-dialog").close();
    }
  }

  /** A "Template" select of a form inserts its text into the form's message box. */
  #insertTemplate(event) {
    const select = event.target.closest("[data-insert-into]");
    if (!select || !select.value) return;
    const box = document.getElementById(select.dataset.insertInto);
    box.setRangeText(select.value, box.selectionStart, box.selectionEnd, "end");
    box.focus();
    select.value = "";
  }

  /** A widget's "Insert into reply" puts its text where the cursor is in the composer of the
   * activity on the same screen; the agent reads it over and sends it as any message. */
  #insertIntoReply(button) {
    const box = button.closest(".activity-screen")?.querySelector(".composer__text");
    if (!box) return;
    box.setRangeText(button.dataset.insertReply, box.selectionStart, box.selectionEnd, "end");
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
  }

  #conversation({ activity, sent }) {
    document.getElementById("new-message-dialog").close();
    if (sent) {
      document.dispatchEvent(new CustomEvent("cc:notice", { detail: `Sent to ${activity.customer}; the activity is closed.` }));
    } else {
      this.#open(activity);
    }
  }
}

/** A read-only chat (an activity opened from a contact's history), drawn by the chat's code. */
export function renderTranscripts(root) {
  for (const list of root.querySelectorAll("[data-transcript]")) {
    const data = JSON.parse(list.previousElementSibling.textContent);
    list.replaceChildren(...historyItems(data));
  }
}

/** A module's search (its `.filters` form) goes out a moment after the agent stops typing; if
 * she opened something else in that module meanwhile (a contact from the list still shown),
 * the search is not sent: answering last, it would replace what she opened with the list. */
function latestActionWins() {
  const typed = new WeakMap(); // module -> when its filters were last changed or submitted
  const opened = new WeakMap(); // module -> when a request of anything else in it was sent
  const changed = (event) => {
    const module = event.target.closest?.(".filters")?.closest(".module");
    if (module) typed.set(module, performance.now());
  };
  // Capturing: before htmx, which sends a submitted search from the form's own listener.
  document.addEventListener("input", changed, true);
  document.addEventListener("submit", changed, true);
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    const source = event.detail.elt;
    const module = source.closest?.(".module");
    if (!module) return;
    if (!source.matches(".filters")) {
      opened.set(module, performance.now());
    } else if ((opened.get(module) ?? -1) > (typed.get(module) ?? 0)) {
      event.preventDefault();
    }
  });
}
