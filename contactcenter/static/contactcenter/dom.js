/**
 * Building the page safely: every text goes in as a text node, never as HTML, so nothing a
 * customer writes can become markup. Links in text are made clickable only for http(s) URLs.
 */

/** An element with attributes (`on*` functions become listeners) and children (strings are text). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

/** Put `children` in the page's element `id` in place of its own; returns it. An element that is
 * not on the page is skipped (null), not an error: one part of the workspace that is missing
 * (or was replaced by a fragment) must not stop the parts drawn after it, such as a ringing
 * notification. */
export function fill(id, ...children) {
  const element = document.getElementById(id);
  element?.replaceChildren(...children);
  return element;
}

/** The page's element `id` shows `text`; skipped, like `fill`, when it is not on the page. */
export function setText(id, text) {
  const element = document.getElementById(id);
  if (element) element.textContent = text;
}

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/gi;

/** Text with its http(s) URLs as links that open in a new tab and tell the target nothing. */
export function linkified(text) {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    fragment.append(text.slice(last, match.index));
    fragment.append(h("a", { href: match[0], target: "_blank", rel: "noopener noreferrer nofollow" }, match[0]));
    last = match.index + match[0].length;
  }
  fragment.append(text.slice(last));
  return fragment;
}

/** "4 s", "2:05", "1:02:05": how long something has lasted (or is left). */
export function duration(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours) return `${hours}:${String(minutes).padStart(2, "0")}:${String(seconds).padStart(2, "0")}`;
  if (minutes) return `${minutes}:${String(seconds).padStart(2, "0")}`;
  return `${seconds} s`;
}

const TIME = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const DATE_TIME = new Intl.DateTimeFormat(undefined,
  { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });

/** The one date and time format of the workspace, in the agent's locale: the time alone today
 * ("14:05"), with the date on other days ("3 Mar 2026, 14:05"). */
export function clockTime(iso) {
  const date = new Date(iso);
  if (date.toDateString() === new Date().toDateString()) return TIME.format(date);
  return DATE_TIME.format(date);
}

export function initials(name) {
  return (name || "?")
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0].toUpperCase())
    .join("");
}

export function bytes(size) {
  if (size >= 1024 * 1024) return `${(size / 1024 / 1024).toFixed(1)} MB`;
  if (size >= 1024) return `${Math.round(size / 1024)} KB`;
  return `${size} B`;
}

/** Providers as agents know them. */
export const CHANNEL_NAMES = { whatsapp: "WhatsApp", messenger: "Messenger", instagram: "Instagram", viber: "Viber" };
