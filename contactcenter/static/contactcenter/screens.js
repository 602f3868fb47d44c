/**
 * Which screen the workspace shows: the dashboard, a main-menu module, or an activity's tab.
 * The address's hash names it (#dashboard, #crm, #activity-12), so reloads and the browser's
 * back button keep working. Clicking the open activity's tab again goes back to the screen
 * before it. Listeners hear "shown" with the screen's name.
 */
const HOME = "dashboard";

export class Screens extends EventTarget {
  #root;
  #current = null;
  #previous = HOME;
  #home = HOME; // the last screen shown that is not an activity's

  constructor(root) {
    super();
    this.#root = root;
    window.addEventListener("hashchange", () => this.#render());
  }

  get current() {
    return this.#current;
  }

  /** The activity whose tab is shown, or null. */
  get activityId() {
    const match = /^activity-(\d+)$/.exec(this.#current ?? "");
    return match ? Number(match[1]) : null;
  }

  start() {
    this.#render();
  }

  /** The Home button's screen: the dashboard or module the agent last left for a chat. */
  get home() {
    return this.#home;
  }

  show(name) {
    if (location.hash === `#${name}`) this.#render();
    else location.hash = name;
  }

  /** A tab's click: open the activity, or go back if it is already shown. */
  toggleActivity(activityId) {
    const name = `activity-${activityId}`;
    this.show(this.#current === name ? this.#previous : name);
  }

  /** The activity's tab is gone (closed, transferred): leave its screen if it is shown. */
  leaveActivity(activityId) {
    const name = `activity-${activityId}`;
    if (this.#previous === name) this.#previous = HOME;
    if (this.#current === name) this.show(this.#previous);
  }

  #render() {
    const wanted = location.hash.slice(1) || HOME;
    const section = this.#root.querySelector(`[data-screen="${CSS.escape(wanted)}"]`);
    if (!section && !wanted.startsWith("activity-")) {
      this.show(HOME);
      return;
    }
    if (wanted !== this.#current) {
      if (this.#current) this.#previous = this.#current;
      this.#current = wanted;
      if (this.activityId === null) this.#home = wanted;
    }
    // An activity screen may not exist yet (the page is still loading its tabs): the
    // activities module creates it and shows it when it arrives.
    for (const screen of this.#root.querySelectorAll("[data-screen]")) {
      screen.hidden = screen !== section;
    }
    for (const link of document.querySelectorAll("[data-screen-link]")) {
      link.toggleAttribute("aria-current", link.dataset.screenLink === wanted);
    }
    this.dispatchEvent(new CustomEvent("shown", { detail: wanted }));
  }

  /** A screen was added after the hash named it: show it now. */
  refresh() {
    this.#render();
  }
}
