/**
 * The live monitor: queues, agents, waiting customers and chats going on, drawn again from
 * each state the socket sends (supervision/monitor.py says what it holds). Clocks run here,
 * from each row's start and the server's time; tiles turn amber and red past their queue's
 * thresholds. Actions go through the REST API; what they change comes back over the socket.
 */
import { api, ApiError } from "cc/api.js";
import { url } from "cc/urls.js";
import { msSince, startClock, syncClock } from "cc/clock.js";
import { duration } from "cc/dom.js";
import { monitorSocket } from "supervision/monitor_socket.js";

const STATES = { offline: "Offline", paused: "Paused", ringing: "Ringing", busy: "Busy", ready: "Ready" };
const $ = (id) => document.getElementById(id);
let state = null;
const chosen = new Map(); // waiting activity id -> the agent picked in its "Offer to" list

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

function secondsSince(iso) {
  return iso ? msSince(iso) / 1000 : null;
}

/** How long since `iso`, ticking with the workspace's clock (cc/clock.js); "—" without one. */
function withClock(iso) {
  const node = el("span", { className: "monitor__clock", textContent: iso ? duration(msSince(iso)) : "—" });
  if (iso) node.dataset.since = iso;
  return node;
}

function queueName(id) {
  return state.queues.find((queue) => queue.id === id)?.name ?? `#${id}`;
}

function shown(queueIds) {
  const filter = Number($("monitor-queue").value) || null;
  return filter === null || queueIds.includes(filter);
}

async function act(action) {
  $("monitor-error").textContent = "";
  try {
    await action();
  } catch (error) {
    $("monitor-error").textContent = error instanceof ApiError ? error.message : String(error);
  }
}

function level(value, warning, alert, higherIsWorse = true) {
  if (value === null || value === undefined) return "";
  if (higherIsWorse ? value >= alert : value < alert) return "monitor__tile--red";
  if (higherIsWorse ? value >= warning : value < warning) return "monitor__tile--amber";
  return "";
}

function queueTile(queue) {
  const t = queue.thresholds;
  const today = queue.today;
  const wait = secondsSince(queue.longest_wait_since);
  const tile = el("article", { className: "monitor__tile" });
  tile.setAttribute("aria-label", `Queue ${queue.name}`);
  tile.dataset.queue = queue.id;
  const waitCell = withClock(queue.longest_wait_since);
  waitCell.dataset.warning = t.wait_warning;
  waitCell.dataset.alert = t.wait_alert;
  const figure = (label, value, className = "") => el("div", { className: `monitor__figure ${className}` },
    el("span", { className: "monitor__label", textContent: label }), value);
  tile.append(
    el("h3", { textContent: queue.name }),
    figure("Waiting", el("b", { textContent: String(queue.waiting) })),
    figure("Longest wait", waitCell, `monitor__wait ${level(wait, t.wait_warning, t.wait_alert)}`),
    figure("Ringing", el("b", { textContent: String(queue.ringing) })),
    figure("Logged in / ready / paused", el("b", { textContent: `${queue.logged_in} / ${queue.ready} / ${queue.paused}` })),
    ...["offered", "accepted", "missed", "rejected", "unanswered"].map((name) =>
      figure(`Today ${name}`, el("b", { textContent: String(today[name]) }))),
    figure("Average speed of answer", el("b", { textContent: today.asa_seconds === null ? "—" : duration(today.asa_seconds * 1000) })),
    figure("Service level", el("b", { textContent: today.service_level === null ? "—" : `${today.service_level}%` }),
      level(today.service_level, t.service_level_target, t.service_level_alert, false)),
  );
  return tile;
}

function agentRow(agent) {
  const queues = el("ul", { className: "monitor__queues" });
  for (const membership of agent.queues) {
    const item = el("li", { textContent: queueName(membership.id) + (membership.logged_in ? "" : " (logged out)") });
    if (membership.logged_in) {
      item.append(" ", el("button", {
        type: "button", className: "button", textContent: "Log out",
        onclick: () => act(() => api("POST", url("api-monitor-log-out", { agent_id: agent.id, queue_id: membership.id }))),
      }));
      item.lastChild.setAttribute("aria-label", `Log ${agent.name} out of ${queueName(membership.id)}`);
    }
    queues.append(item);
  }
  const label = agent.state === "paused" ? `Paused · ${agent.pause.reason}` : STATES[agent.state];
  const endPause = agent.state === "paused" ? el("button", {
    type: "button", className: "button", textContent: "End pause",
    onclick: () => act(() => api("POST", url("api-monitor-end-pause", { agent_id: agent.id }))),
  }) : null;
  const row = el("tr", {},
    el("th", { scope: "row", textContent: agent.name }),
    el("td", {}, el("span", { className: `monitor__state monitor__state--${agent.state}`, textContent: label })),
    el("td", {}, withClock(agent.since)),
    el("td", { textContent: `${agent.open_chats} of ${agent.max_open_chats}` }),
    el("td", {}, queues),
    el("td", {}, endPause),
  );
  row.setAttribute("aria-label", `Agent ${agent.name}`);
  return row;
}

function waitingRow(activity) {
  const candidates = state.agents.filter((agent) => agent.state !== "offline" && agent.queues.some((q) => q.id === activity.queue));
  const select = el("select", { onchange: () => chosen.set(activity.id, select.value) },
    el("option", { value: "", textContent: "Choose an agent" }),
    ...candidates.map((agent) => el("option", { value: String(agent.id), textContent: `${agent.name} (${STATES[agent.state].toLowerCase()})` })));
  select.setAttribute("aria-label", `Offer ${activity.title} to`);
  select.value = chosen.get(activity.id) ?? "";
  const offer = el("button", {
    type: "button", className: "button", textContent: "Offer",
    onclick: () => {
      if (!select.value) return;
      act(() => api("POST", url("api-monitor-offer", { activity_id: activity.id }), { agent: Number(select.value) }));
    },
  });
  return el("tr", {},
    el("th", { scope: "row", textContent: activity.title }),
    el("td", { textContent: queueName(activity.queue) }),
    el("td", {}, withClock(activity.queued_at)),
    el("td", { textContent: activity.ringing ?? "—" }),
    el("td", {}, select, " ", offer),
  );
}

function chatRow(chat) {
  const watch = el("a", { href: url("supervision:watch", { activity_id: chat.id }), textContent: "Watch", target: "_blank" });
  watch.setAttribute("aria-label", `Watch ${chat.title}`);
  return el("tr", {},
    el("th", { scope: "row", textContent: chat.title }),
    el("td", { textContent: queueName(chat.queue) }),
    el("td", { textContent: chat.owner }),
    el("td", {}, withClock(chat.accepted_at)),
    el("td", {}, watch),
  );
}

function empty(columns, text) {
  return el("tr", {}, el("td", { colSpan: columns, textContent: text }));
}

function draw() {
  if (!state) return;
  const filter = $("monitor-queue");
  const picked = filter.value;
  filter.replaceChildren(el("option", { value: "", textContent: "All queues" }),
    ...state.queues.map((queue) => el("option", { value: String(queue.id), textContent: queue.name })));
  filter.value = picked;
  $("monitor-queues").replaceChildren(...state.queues.filter((queue) => shown([queue.id])).map(queueTile));
  const agents = state.agents.filter((agent) => shown(agent.queues.map((q) => q.id)));
  $("monitor-agents").replaceChildren(...(agents.length ? agents.map(agentRow) : [empty(6, "No agents.")]));
  const waiting = state.waiting.filter((activity) => shown([activity.queue]));
  $("monitor-waiting").replaceChildren(...(waiting.length ? waiting.map(waitingRow) : [empty(5, "Nobody is waiting.")]));
  const chats = state.chats.filter((chat) => shown([chat.queue]));
  $("monitor-chats").replaceChildren(...(chats.length ? chats.map(chatRow) : [empty(5, "No chats going on.")]));
}

/** Every second: the longest waits' colours move on with their clocks, without a frame. */
function tick() {
  for (const node of document.querySelectorAll(".monitor__wait [data-since]")) {
    const seconds = secondsSince(node.dataset.since);
    const cell = node.closest(".monitor__wait");
    cell.classList.toggle("monitor__tile--red", seconds >= Number(node.dataset.alert));
    cell.classList.toggle("monitor__tile--amber", seconds >= Number(node.dataset.warning) && seconds < Number(node.dataset.alert));
  }
}

$("monitor-queue").addEventListener("change", draw);
startClock();
setInterval(tick, 1000);
monitorSocket({
  onState: (text) => { $("monitor-connection").textContent = text; },
  onFrame: (frame) => {
    if (frame.type !== "snapshot" && frame.type !== "state") return;
    state = frame;
    syncClock(frame.server_time);
    draw();
  },
});
