/**
 * The open chats' tabs, in whatever room the static panel leaves them. Every tab keeps a
 * readable name (cut with an ellipsis, never below its smallest width); the tabs that still do
 * not fit are listed under the More control instead of sliding off-screen, and the shown chat's
 * tab always stays in the strip. The More control flashes while a chat it lists flashes, so a
 * customer's new message is seen wherever their tab is (on 1280x720 laptops the strip once had
 * room for one tab, and the second flashed out of sight).
 */
import { h } from "cc/dom.js";

export class TabStrip {
  #strip;
  #more;
  #button;
  #list;
  #tabs = [];

  /** `strip`: where the tabs go; `more`: the More dropdown beside it. */
  constructor({ strip, more }) {
    this.#strip = strip;
    this.#more = more;
    this.#button = more.querySelector("[aria-expanded]");
    this.#list = more.querySelector("ul");
    new ResizeObserver(() => this.#fit()).observe(strip.parentElement);
  }

  /** `tabs`, in their order: `{ element, label, provider, flashing, current, open }`. */
  show(tabs) {
    this.#tabs = tabs;
    this.#strip.replaceChildren(...tabs.map((tab) => tab.element));
    this.#fit();
  }

  /** Hide tabs from the end, never the shown chat's, until the others fit. */
  #fit() {
    for (const tab of this.#tabs) tab.element.hidden = false;
    this.#more.hidden = true;
    const hideable = this.#tabs.filter((tab) => !tab.current).reverse();
    const hidden = new Set();
    while (hideable.length && this.#strip.scrollWidth > this.#strip.clientWidth) {
      this.#more.hidden = false;
      const tab = hideable.shift();
      tab.element.hidden = true;
      hidden.add(tab);
    }
    this.#renderMore(this.#tabs.filter((tab) => hidden.has(tab)));
  }

  #renderMore(hidden) {
    const flashing = hidden.some((tab) => tab.flashing);
    this.#button.replaceChildren(`+${hidden.length} more`);
    this.#button.setAttribute("aria-label", `${hidden.length} more open chats${flashing ? ", new message" : ""}`);
    this.#button.classList.toggle("tabs__more-button--flash", flashing);
    this.#list.replaceChildren(...hidden.map((tab) => h("li", {}, h(
      "button",
      { type: "button", class: `menu-item tabs__more-item${tab.flashing ? " tab--flash" : ""}`,
        onclick: () => this.#choose(tab) },
      h("span", { class: `channel-dot channel-dot--${tab.provider ?? "none"}` }),
      h("span", { class: "tab__name" }, tab.label),
      tab.flashing ? h("span", { class: "visually-hidden" }, " (new message)") : null,
    ))));
  }

  #choose(tab) {
    this.#list.closest(".dropdown__panel").hidden = true;
    this.#button.setAttribute("aria-expanded", "false");
    tab.open();
  }
}
