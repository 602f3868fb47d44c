/**
 * The emoji picker: a popover with a search box over the emoji of the server's `emoji`
 * package list (loaded once per page). Picking one calls back; Escape or a click elsewhere
 * closes it.
 */
import { h } from "cc/dom.js";
import { url } from "cc/urls.js";

const SHOWN = 240; // buttons at once: enough to browse, few enough to stay quick
let data = null;

async function emojiList() {
  data ??= fetch(url("emoji"), { credentials: "same-origin" }).then((response) => response.json()).then((body) => body.emoji);
  return data;
}

export async function openEmojiPicker({ anchor, button, onPick }) {
  anchor.querySelector(".emoji-picker")?.remove();
  const list = await emojiList();
  const grid = h("div", { class: "emoji-picker__grid", role: "listbox", "aria-label": "Emoji" });
  const search = h("input", { type: "search", class: "emoji-picker__search", placeholder: "Search emoji", "aria-label": "Search emoji" });
  const picker = h("div", { class: "emoji-picker", role: "dialog", "aria-label": "Emoji picker" }, search, grid);
  const close = () => {
    picker.remove();
    button.setAttribute("aria-expanded", "false");
    document.removeEventListener("click", outside, true);
  };
  const outside = (event) => {
    if (!picker.contains(event.target) && event.target !== button) close();
  };
  const show = () => {
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const matches = list.filter(([, name]) => words.every((word) => name.includes(word))).slice(0, SHOWN);
    grid.replaceChildren(...matches.map(([char, name]) =>
      h("button", { type: "button", class: "emoji-picker__item", title: name, "aria-label": name, role: "option",
        onclick: () => { onPick(char); close(); } }, char)));
  };
  search.addEventListener("input", show);
  picker.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      close();
      button.focus();
    }
  });
  show();
  anchor.append(picker);
  button.setAttribute("aria-expanded", "true");
  search.focus();
  document.addEventListener("click", outside, true);
}
