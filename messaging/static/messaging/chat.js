/**
 * One chat's history as agents read it: the customer's and our messages (time, initials of the
 * agent who wrote ours, or the name of the integration that did, delivery ticks, a failed
 * send's reason with a Retry), files, and the activity's events inline ("Transferred by Alice
 * to Bob"). All text goes in as text.
 */
import { bytes, clockTime, h, initials, linkified } from "cc/dom.js";

const TICKS = {
  queued: ["\u25F7", "Sending"],
  sent: ["\u2713", "Sent"],
  delivered: ["\u2713\u2713", "Delivered"],
  read: ["\u2713\u2713", "Read"],
  failed: ["!", "Not delivered"],
};

/** A message as a list item; `onRetry(message)` is called by a failed send's Retry button. */
export function messageItem(message, { onRetry } = {}) {
  const ours = message.direction !== "in";
  const [tick, tickLabel] = TICKS[message.status] ?? ["", ""];
  return h(
    "li",
    { class: `msg msg--${message.direction} msg--${message.status}`, "data-message-id": message.id,
      "data-created": message.created_at },
    h("div", { class: "msg__bubble" },
      message.direction === "out" ? authorView(message) : null,
      message.direction === "system" ? h("span", { class: "msg__label" }, "Notice to the customer") : null,
      message.template ? h("span", { class: "msg__label" }, "WhatsApp template") : null,
      message.text ? h("div", { class: "msg__text" }, linkified(message.text)) : null,
      message.template && message.template_parameters.length
        ? h("div", { class: "msg__text muted" }, message.template_parameters.join(" \u00b7 "))
        : null,
      ...message.attachments.map(attachmentView)),
    h("div", { class: "msg__meta" },
      h("time", { datetime: message.created_at }, clockTime(message.created_at)),
      ours ? h("span", { class: `ticks ticks--${message.status}`, title: tickLabel, "aria-label": tickLabel }, tick) : null),
    message.status === "failed"
      ? h("p", { class: "msg__failed", role: "alert" },
          `Not delivered: ${message.error_reason || "the channel refused it"}`,
          onRetry ? h("button", { type: "button", class: "button button--small", onclick: () => onRetry(message) }, "Retry") : null)
      : null,
  );
}

/** Who wrote our message: an agent's initials; an integration named in full, with a mark of
 * its own, so that no one takes its message for a colleague's. */
function authorView(message) {
  if (message.author_kind === "integration") {
    return [
      h("span", { class: "msg__author msg__author--integration", "aria-hidden": "true" }, "\u2699"),
      h("span", { class: "msg__label msg__by" }, message.author),
    ];
  }
  return h("span", { class: "msg__author", title: message.author ?? "" }, initials(message.author));
}

function attachmentView(attachment) {
  const name = attachment.filename || attachment.kind;
  if (attachment.transfer === "failed") {
    return h("p", { class: "msg__file msg__file--failed" }, `${name}: not received (${attachment.transfer_error})`);
  }
  if (!attachment.download_url) {
    return h("p", { class: "msg__file muted" }, `${name}: receiving\u2026`);
  }
  const size = attachment.size ? ` (${bytes(attachment.size)})` : "";
  if (attachment.kind === "image") {
    return h("a", { class: "msg__image", href: attachment.download_url, target: "_blank", rel: "noopener" },
      h("img", { src: attachment.download_url, alt: name, loading: "lazy" }));
  }
  return h("a", { class: "msg__file", href: attachment.download_url, download: name }, `\u{1F4CE} ${name}${size}`);
}

const EVENT_TEXT = {
  queued: () => "Queued",
  offered: (e) => `Offered to ${agentName(e)}`,
  accepted: (e) => `Accepted by ${agentName(e)}`,
  rejected: (e) => `Rejected by ${agentName(e)}`,
  expired: (e) => `Notification to ${agentName(e)} expired`,
  revoked: (e) => `Notification to ${agentName(e)} withdrawn`,
  transferred: (e) => `Transferred by ${e.actor ?? "the system"} to ${e.agent?.display_name ?? e.data.queue ?? "a queue"}`,
  invited: (e) => `${e.actor ?? "Someone"} invited ${e.agent?.display_name ?? e.data.queue ?? "a queue"}`,
  joined: (e) => `${agentName(e)} joined`,
  left: (e) => `${agentName(e)} left`,
  postponed: (e) => `Postponed by ${e.actor}${e.data.until ? ` until ${clockTime(e.data.until)}` : ""}`,
  resumed: (e) => (e.actor ? `Resumed by ${e.actor}` : "Back from postponement"),
  status: (e) => (e.data.name ? `Status: ${e.data.name}, chosen by ${e.actor}` : `Status cleared by ${e.actor}`),
  important: (e) => `${e.data.important ? "Marked" : "Unmarked"} important by ${e.actor}`,
  paired: (e) => `Paired with ${e.data.name} by ${e.actor}`,
  unpaired: (e) => `Unpaired from its contact by ${e.actor}`,
  ticket: (e) => (e.data.ticket ? `Assigned to ticket #${e.data.ticket} ${e.data.title} by ${e.actor}` : `Removed from its ticket by ${e.actor}`),
  started: (e) => `Started by ${e.actor}`,
  cobrowse: (e) => `Video room ${e.data.room}: ${e.data.text}`,
  closed: (e) => `Closed by ${e.actor ?? "the system"}`,
};

function agentName(event) {
  return event.agent?.display_name ?? event.actor ?? "an agent";
}

export function eventItem(event) {
  const text = (EVENT_TEXT[event.kind] ?? ((e) => e.label))(event);
  return h("li", { class: `event event--${event.kind}`, "data-event-id": event.id, "data-created": event.created_at },
    h("span", {}, text), " ", h("time", { datetime: event.created_at }, clockTime(event.created_at)));
}

/** A separator before an earlier chat loaded by "Load older messages". */
export function earlierChatItem(activity) {
  const when = clockTime(activity.queued_at);
  return h("li", { class: "earlier" }, `Earlier chat · ${activity.queue.number} ${activity.queue.name} · ${when}`);
}

/** Messages and events of one chat in time order, as list items. */
export function historyItems({ messages, events }, options) {
  const items = [
    ...messages.map((message) => [message.created_at, messageItem(message, options)]),
    ...events.map((event) => [event.created_at, eventItem(event)]),
  ];
  items.sort((a, b) => new Date(a[0]) - new Date(b[0]));
  return items.map(([, item]) => item);
}
