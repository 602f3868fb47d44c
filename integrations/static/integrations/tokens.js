/**
 * The API tokens page (and the admin's page of a token just made): Copy puts the new token on
 * the clipboard; Revoke asks first. Listeners sit on the document, as the page's main part is
 * swapped when a token is made (htmx). Server-rendered times take the workspace's one format.
 */
import { startClock } from "cc/clock.js";

async function copy(field) {
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    // No clipboard API outside secure contexts (a plain-HTTP address other than localhost).
    field.select();
    if (!document.execCommand("copy")) return "Press Ctrl+C (⌘C) to copy the selected token.";
  }
  return "Copied to the clipboard.";
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const status = document.getElementById("copy-status");
  status.textContent = await copy(document.getElementById(button.dataset.copy));
});

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-revoke]");
  if (!form || form.dataset.confirmed) return;
  event.preventDefault();
  const dialog = document.getElementById("revoke-dialog");
  document.getElementById("revoke-name").textContent = form.dataset.revoke;
  dialog.returnValue = "";
  dialog.addEventListener("close", () => {
    if (dialog.returnValue !== "revoke") return;
    form.dataset.confirmed = "yes";
    form.requestSubmit();
  }, { once: true });
  dialog.showModal();
});

// A token just made: selected, ready to copy.
document.addEventListener("htmx:afterSettle", () => document.getElementById("new-token")?.select());

startClock();
