/**
 * The customer's conference page, /external/conference/: the room number from the address
 * (`#<number>`) or from the form; the server answers with a join token for the room's socket.
 * The agent is heard only after "Unmute agent" (browsers play sound after a click).
 */
import { Conference, bindControls } from "cobrowse/rtc.js";

const main = document.querySelector(".conference");
const form = main.querySelector("[data-conference-form]");
const room = main.querySelector("[data-conference-room]");
const over = main.querySelector("[data-conference-over]");
const error = main.querySelector("[data-conference-error]");

function csrfToken() {
  return document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/)?.[1] ?? "";
}

async function join(number) {
  error.hidden = true;
  let response;
  try {
    response = await fetch(main.dataset.joinUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ number }),
      credentials: "same-origin",
    });
  } catch {
    return refuse("The server cannot be reached; try again in a moment.");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) return refuse(data.detail ?? "The room cannot be joined now.");
  enter(data);
}

function refuse(text) {
  form.hidden = false;
  room.hidden = true;
  error.textContent = text;
  error.hidden = false;
}

function enter(admission) {
  form.hidden = true;
  room.hidden = false;
  main.querySelector("[data-conference-number]").textContent = `Room ${admission.number}`;
  if (location.hash !== `#${admission.number}`) history.replaceState(null, "", `#${admission.number}`);
  const conference = new Conference({
    socketPath: admission.socket_path,
    token: admission.token,
    iceServers: admission.ice_servers,
    stage: room.querySelector("[data-cobrowse-stage]"),
    startMuted: true,
  });
  bindControls(room, conference, { waitingText: "Waiting for the agent…" });
  room.querySelector('[data-cobrowse-action="leave"]').addEventListener("click", () => conference.hangup());
  conference.addEventListener("finished", ({ detail }) => {
    room.hidden = true;
    over.hidden = false;
    over.querySelector("[data-conference-over-title]").textContent = detail.text;
  });
  conference.start();
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  join(form.elements.number.value);
});

const fromAddress = location.hash.slice(1).replace(/\D/g, "");
if (fromAddress) {
  form.elements.number.value = fromAddress;
  join(fromAddress);
}
