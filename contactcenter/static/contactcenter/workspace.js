/**
 * The agent workspace page: the live connection feeds the store, and the store feeds the
 * static panel, the notifications, the activity screens and the toasts. The page puts the
 * apps' scripts in their places: messaging's drives the screens' message widget.
 */
import { Activities } from "cc/activity.js";
import { AgentSocket } from "cc/agent_socket.js";
import { startClock, syncClock } from "cc/clock.js";
import { Modules } from "cc/modules.js";
import { Notifications } from "cc/notifications.js";
import { Panel } from "cc/panel.js";
import { Screens } from "cc/screens.js";
import { chime } from "cc/sound.js";
import { Store } from "cc/store.js";
import { Toasts } from "cc/toasts.js";
import { url } from "cc/urls.js";
import { MessageWidget } from "messaging/message_widget.js";

const STATE_TEXT = {
  connecting: () => "Connecting…",
  connected: () => "Connected",
  down: ({ retryInMs }) => `Disconnected, retrying in ${Math.ceil(retryInMs / 1000)} s`,
};

const root = document.querySelector(".workspace");
const indicator = document.getElementById("connection-state");
const screensRoot = document.getElementById("screens");
const scheme = window.location.protocol === "https:" ? "wss" : "ws";
const socket = new AgentSocket({
  url: `${scheme}://${window.location.host}${root.dataset.socketPath}`,
  loginUrl: url("login", {}, { next: window.location.pathname }),
});

const store = new Store();
const screens = new Screens(screensRoot);
const notifications = new Notifications({ store, root: document.getElementById("notifications") });
const toasts = new Toasts({ root: document.getElementById("toasts"), screens });
const activities = new Activities({ store, screens, root: screensRoot, MessageWidget });

/** Show an activity the agent has just accepted, taken or resumed (the REST answer comes
 * before its websocket event). */
function open(activity) {
  store.apply({ type: "activity.opened", activity });
  screens.show(`activity-${activity.id}`);
}

const panel = new Panel({ store, screens, notifications, open });
const modules = new Modules({ screens, open });
notifications.addEventListener("accepted", (event) => open(event.detail));
notifications.addEventListener("minimised", () => panel.render());

store.addEventListener("change", (event) => {
  const frame = event.detail;
  if (frame.type === "snapshot") syncClock(frame.server_time);
  if (frame.type === "offer.new") chime();
  panel.render();
  notifications.render();
  activities.sync();
});

store.addEventListener("message", (event) => {
  const frame = event.detail;
  activities.onMessage(frame);
  const looking = screens.activityId === frame.activity_id && !document.hidden;
  if (frame.type === "message.new" && frame.message.direction === "in" && !looking) {
    panel.markUnread(frame.activity_id);
    chime();
    const activity = store.activities.get(frame.activity_id);
    if (activity?.state === "postponed") toasts.postponedMessage(activity);
  }
});

/** Tell the server which activity this page shows, so reminders skip what the agent sees. */
function reportViewing() {
  socket.send({ type: "viewing", activity_id: document.hidden ? null : screens.activityId });
}
screens.addEventListener("shown", reportViewing);
document.addEventListener("visibilitychange", () => {
  reportViewing();
  panel.render();
});

/** The calendar's pieces on the page (dashboard card, widgets) load again: an event changed,
 * or the page reconnected (changes may have been missed meanwhile). */
const refreshCalendar = () => document.body.dispatchEvent(new CustomEvent("cc:refresh-calendar"));
let snapshots = 0;

socket.addEventListener("frame", (event) => {
  const frame = event.detail;
  if (frame.type === "reminder") toasts.reminder(frame);
  else if (frame.type === "calendar.reminder") toasts.followUp(frame, modules);
  else if (frame.type === "calendar.changed") refreshCalendar();
  else store.apply(frame);
  if (frame.type === "snapshot" && snapshots++ > 0) refreshCalendar();
});
socket.addEventListener("state", (event) => {
  const { detail } = event;
  indicator.textContent = STATE_TEXT[detail.state](detail);
  indicator.className = `connection connection--${detail.state}`;
  root.classList.toggle("workspace--offline", detail.state === "down");
  if (detail.state === "connected") reportViewing();
});

screens.start();
startClock(root);
socket.start();
