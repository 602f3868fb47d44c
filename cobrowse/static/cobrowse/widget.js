/**
 * The Co-browsing widget of an activity screen (cobrowse/templates/cobrowse/widgets/). Loaded
 * by the widget's own script tag: a module runs once, so it finds every widget as it is drawn
 * (htmx's `htmx:load`, and those already on the page) and keeps each one's call.
 *
 * Create video room (htmx) answers with the widget drawn again, now with the room: the agent
 * who made it enters at once, a colleague with Join. The room's agent's Disconnect ends the
 * room for everyone (the server tells the customer's page) and draws the widget without it; a
 * colleague's Leave call hangs up only theirs, and the room goes on.
 */
import { api } from "cc/api.js";
import { Conference, bindControls } from "cobrowse/rtc.js";
import { loadFragment } from "cc/fragments.js";

const calls = new WeakMap(); // widget element -> Conference

function setUp(widget) {
  if (widget.dataset.cobrowseReady) return;
  widget.dataset.cobrowseReady = "true";
  widget.addEventListener("click", (event) => {
    const action = event.target.closest("[data-cobrowse-action]")?.dataset.cobrowseAction;
    if (action && ACTIONS[action]) ACTIONS[action](widget, event.target);
  });
  widget.querySelector('[data-cobrowse-action="allow-more"]')?.addEventListener("change", (event) => {
    run(widget, () => api("POST", widget.dataset.allowUrl, { allow: event.target.checked }));
  });
  if (widget.dataset.roomId && widget.hasAttribute("data-autostart")) join(widget);
  // Drawn disabled: a click before this script listens would be lost.
  widget.querySelector('[data-cobrowse-action="join"]')?.removeAttribute("disabled");
}

const ACTIONS = {
  join: (widget, button) => {
    button.hidden = true;
    join(widget);
  },
  copy: (widget) => {
    const field = widget.querySelector("[data-cobrowse-url-field]");
    field.select();
    navigator.clipboard?.writeText(field.value).catch(() => {});
    notice(widget, "The room's URL is copied: paste it to the customer.");
  },
  send: (widget, button) => {
    button.disabled = true;
    run(widget, async () => {
      await api("POST", widget.dataset.sendUrl);
      notice(widget, "The link is sent to the customer in the chat.");
    }).finally(() => {
      button.disabled = false;
    });
  },
  leave: (widget, button) => {
    button.hidden = true;
    calls.get(widget)?.hangup();
    redraw(widget);
  },
  end: (widget) => {
    calls.get(widget)?.hangup();
    run(widget, async () => {
      await api("POST", widget.dataset.endUrl);
      await redraw(widget);
    });
  },
};

function join(widget) {
  const conference = new Conference({
    socketPath: widget.dataset.socketPath,
    iceServers: JSON.parse(widget.dataset.iceServers || "[]"),
    stage: widget.querySelector("[data-cobrowse-stage]"),
  });
  calls.set(widget, conference);
  widget.classList.add("widget--in-call");
  const leave = widget.querySelector('[data-cobrowse-action="leave"]');
  if (leave) leave.hidden = false;
  bindControls(widget, conference, { waitingText: "Waiting for the customer to join…" });
  conference.addEventListener("finished", ({ detail }) => {
    widget.classList.remove("widget--in-call");
    // Ended elsewhere (a colleague, or the room is gone): show the widget as it is now.
    if (detail.reason !== "left") redraw(widget);
  });
  // The screen was closed (the chat's tab): leave the room with it.
  const watch = setInterval(() => {
    if (!widget.isConnected) conference.hangup();
    if (conference.finished) clearInterval(watch);
  }, 2000);
  conference.start();
}

async function redraw(widget) {
  if (!widget.isConnected) return;
  await loadFragment(widget.dataset.cobrowseUrl, widget, { swap: "outerHTML" });
}

/** What an action did ("the link is sent"), beside the call's status line. */
function notice(widget, text) {
  widget.querySelector("[data-cobrowse-notice]").textContent = text;
}

async function run(widget, action) {
  const error = widget.querySelector("[data-cobrowse-error]");
  error.hidden = true;
  try {
    await action();
  } catch (problem) {
    error.textContent = problem.message;
    error.hidden = false;
  }
}

function scan(root) {
  if (root.matches?.(".widget--cobrowse")) setUp(root);
  root.querySelectorAll?.(".widget--cobrowse").forEach(setUp);
}

document.addEventListener("htmx:load", (event) => scan(event.target));
scan(document);
