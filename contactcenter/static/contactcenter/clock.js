/**
 * Ticking times: every element with `data-since` (an ISO time) shows how long ago it was, and
 * every one with `data-until` how long is left, refreshed each second; server-rendered times
 * are shown in the workspace's one format. The server's clock is
 * the reference: `syncClock` learns the offset from the snapshot's `server_time`.
 */
import { clockTime, duration } from "cc/dom.js";

let offsetMs = 0;

export function syncClock(serverTimeIso) {
  if (serverTimeIso) offsetMs = new Date(serverTimeIso).getTime() - Date.now();
}

export function serverNow() {
  return Date.now() + offsetMs;
}

export function msSince(iso) {
  return serverNow() - new Date(iso).getTime();
}

export function msUntil(iso) {
  return new Date(iso).getTime() - serverNow();
}

function tick(root) {
  for (const element of root.querySelectorAll("[data-since]")) {
    element.textContent = duration(msSince(element.dataset.since));
  }
  for (const element of root.querySelectorAll("[data-until]")) {
    const left = msUntil(element.dataset.until);
    element.textContent = duration(left);
    element.classList.toggle("urgent", left < 10_000);
  }
}

/** Times the server rendered (`{% local_time %}`) take the workspace's one format. */
function localTimes(root) {
  for (const element of root.querySelectorAll("time[data-local]")) {
    element.removeAttribute("data-local");
    element.textContent = clockTime(element.dateTime);
  }
}

export function startClock(root = document) {
  tick(root);
  setInterval(() => tick(root), 1000);
  localTimes(root);
  new MutationObserver(() => localTimes(root)).observe(root, { childList: true, subtree: true });
}

/** Refresh the ticking times under `element` now (just rendered); null (not on the page): none. */
export function tickNow(element) {
  if (element) tick(element);
}
