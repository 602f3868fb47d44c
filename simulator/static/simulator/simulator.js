/**
 * The customer simulator page: who the customer is, what they write, and our replies as their
 * phone shows them. The conversation is polled every second; replies shown while the page is
 * visible are reported read. Every text goes in through textContent: never as HTML.
 */

const POLL_MS = 1000;
const ID_HINTS = {
  whatsapp: "(a phone number, digits only)",
  messenger: "(a page-scoped id)",
  instagram: "(an Instagram-scoped id)",
  viber: "(a Viber user id)",
};
const CUSTOMER_STATES = {
  sending: "Sending…",
  retrying: "Retrying…",
  delivered: "✓ Delivered",
  refused: "✗ Refused",
};

const root = document.getElementById("simulator");
const accountSelect = document.getElementById("account");
const customerInput = document.getElementById("customer-id");
const nameInput = document.getElementById("customer-name");
const hint = document.getElementById("customer-id-hint");
const chat = document.getElementById("chat");
const empty = document.getElementById("chat-empty");
const composer = document.getElementById("composer");
const textInput = document.getElementById("text");
const pictureInput = document.getElementById("picture");
const note = document.getElementById("composer-note");

let shown = new Map(); // item id -> its <li>
let shownFor = "";

function csrfToken() {
  return composer.querySelector("[name=csrfmiddlewaretoken]").value;
}

function storageKey() {
  return `simulator.customer.${accountSelect.value}`;
}

/** Each account remembers its customer, so switching back continues the conversation. */
function restoreCustomer() {
  const option = accountSelect.selectedOptions[0];
  const saved = JSON.parse(localStorage.getItem(storageKey()) || "{}");
  customerInput.value = saved.customerId || option.dataset.defaultCustomerId;
  if (saved.name) nameInput.value = saved.name;
  hint.textContent = ID_HINTS[option.dataset.provider] || "";
}

function rememberCustomer() {
  const customer = { customerId: customerInput.value.trim(), name: nameInput.value };
  localStorage.setItem(storageKey(), JSON.stringify(customer));
}

function safeUrl(url) {
  try {
    const parsed = new URL(url, window.location.href);
    return ["http:", "https:"].includes(parsed.protocol) ? parsed.href : "";
  } catch {
    return "";
  }
}

function metaText(item) {
  const time = new Date(item.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  if (item.from === "customer") return `${time} · ${CUSTOMER_STATES[item.state] || item.state}`;
  return item.seen ? `${time} · Seen` : time;
}

function media(item) {
  const url = item.media_url && safeUrl(item.media_url);
  if (!url) return null;
  if (item.media_kind === "image") {
    const image = document.createElement("img");
    image.src = url;
    image.alt = "Picture";
    return image;
  }
  const link = document.createElement("a");
  link.href = url;
  link.target = "_blank";
  link.rel = "noopener";
  link.className = "bubble__file";
  link.textContent = `Attachment: ${item.filename || item.media_kind || "file"}`;
  return link;
}

function bubble(item) {
  const li = document.createElement("li");
  li.className = `bubble bubble--${item.from}`;
  const attachment = media(item);
  if (attachment) li.append(attachment);
  if (item.text) {
    const text = document.createElement("span");
    text.className = "bubble__text";
    text.textContent = item.text;
    li.append(text);
  }
  const meta = document.createElement("small");
  meta.className = "bubble__meta";
  li.append(meta);
  refresh(li, item);
  return li;
}

function refresh(li, item) {
  const meta = li.querySelector(".bubble__meta");
  meta.textContent = metaText(item);
  meta.title = item.detail || "";
  li.classList.toggle("bubble--refused", item.state === "refused");
}

function render(messages) {
  let added = false;
  for (const item of messages) {
    const existing = shown.get(item.id);
    if (existing) {
      refresh(existing, item);
    } else {
      const li = bubble(item);
      chat.append(li);
      shown.set(item.id, li);
      added = true;
    }
  }
  empty.hidden = messages.length > 0;
  if (added) chat.scrollTop = chat.scrollHeight;
}

/** Reports read what the customer was shown: our replies up to the last one rendered. */
async function markRead(lastReply) {
  const form = new FormData();
  form.set("account", accountSelect.value);
  form.set("customer_id", customerInput.value.trim());
  form.set("up_to", lastReply.number);
  await fetch(root.dataset.readUrl, {
    method: "POST",
    body: form,
    headers: { "X-CSRFToken": csrfToken() },
    credentials: "same-origin",
  });
}

async function poll() {
  const customerId = customerInput.value.trim();
  if (!customerId) return;
  const conversationFor = `${accountSelect.value}|${customerId}`;
  if (conversationFor !== shownFor) {
    chat.replaceChildren();
    shown = new Map();
    shownFor = conversationFor;
  }
  const params = new URLSearchParams({ account: accountSelect.value, customer_id: customerId });
  const response = await fetch(`${root.dataset.conversationUrl}?${params}`, {
    credentials: "same-origin",
  });
  if (!response.ok || conversationFor !== shownFor) return;
  const { messages } = await response.json();
  render(messages);
  const replies = messages.filter((item) => item.from === "agent");
  const unseen = replies.some((item) => !item.seen);
  if (unseen && document.visibilityState === "visible") await markRead(replies.at(-1));
}

async function pollForever() {
  try {
    await poll();
  } catch (error) {
    console.warn("simulator poll failed", error);
  }
  window.setTimeout(pollForever, POLL_MS);
}

function showNote(text, isError = false) {
  note.textContent = text;
  note.classList.toggle("composer__note--error", isError);
}

function markAttached() {
  const chosen = pictureInput.files.length > 0;
  pictureInput.closest("label").classList.toggle("composer__attach--chosen", chosen);
  showNote(chosen ? `Attached: ${pictureInput.files[0].name}` : "");
}

/** Sends what is in the composer and empties it at once, so that the next message can be
 * typed while this one travels; a refused message comes back into the composer. */
async function send(event) {
  event.preventDefault();
  const form = new FormData(composer);
  form.set("account", accountSelect.value);
  form.set("customer_id", customerInput.value.trim());
  form.set("name", nameInput.value);
  const text = textInput.value;
  const pictures = [...pictureInput.files];
  if (!pictures.length) form.delete("picture");
  composer.reset();
  markAttached();
  const response = await fetch(root.dataset.messageUrl, {
    method: "POST",
    body: form,
    credentials: "same-origin",
  });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    textInput.value = text;
    const kept = new DataTransfer();
    pictures.forEach((picture) => kept.items.add(picture));
    pictureInput.files = kept.files;
    markAttached();
    showNote(body.detail || `The simulator answered HTTP ${response.status}.`, true);
    return;
  }
  rememberCustomer();
  await poll();
}

function start() {
  accountSelect.addEventListener("change", () => {
    restoreCustomer();
    poll();
  });
  customerInput.addEventListener("change", () => {
    rememberCustomer();
    poll();
  });
  nameInput.addEventListener("change", rememberCustomer);
  pictureInput.addEventListener("change", markAttached);
  textInput.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey) return;
    event.preventDefault();
    composer.requestSubmit();
  });
  composer.addEventListener("submit", send);
  restoreCustomer();
  pollForever();
}

if (accountSelect) start(); // without channel accounts the page only says how to make one
