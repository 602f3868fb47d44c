/**
 * The workspace's dialogs: pick a colleague or a queue (transfer, invite), and postpone. Each
 * runs its action itself and stays open with the server's refusal until it succeeds or the
 * agent cancels, so a refused transfer never loses what was chosen.
 */
import { ApiError } from "cc/api.js";
import { loadFragment } from "cc/fragments.js";
import { url } from "cc/urls.js";

function run(dialog, { prepare, read, action }) {
  const form = dialog.querySelector("form");
  const error = dialog.querySelector(".dialog__error");
  error.textContent = "";
  return new Promise((resolve) => {
    const finish = (result) => {
      form.removeEventListener("submit", submit);
      dialog.removeEventListener("close", cancelled);
      cancel.removeEventListener("click", close);
      if (dialog.open) dialog.close();
      resolve(result);
    };
    const submit = async (event) => {
      event.preventDefault();
      const value = read(form);
      if (value === null) {
        error.textContent = "Choose one first.";
        return;
      }
      const button = form.querySelector("[type=submit]");
      button.disabled = true;
      try {
        await action(value);
        finish(true);
      } catch (failure) {
        error.textContent = failure instanceof ApiError ? failure.message : String(failure);
      } finally {
        button.disabled = false;
      }
    };
    const cancelled = () => finish(false);
    const close = () => finish(false);
    const cancel = dialog.querySelector("[data-dialog-cancel]");
    form.addEventListener("submit", submit);
    dialog.addEventListener("close", cancelled);
    cancel.addEventListener("click", close);
    prepare?.(form);
    dialog.showModal();
  });
}

/** Transfer or invite: colleagues with their state and the queues, loaded by htmx; if they
 * cannot be loaded, the dialog says so. */
export async function pickTarget({ title, submitText, action }) {
  const dialog = document.getElementById("target-dialog");
  dialog.querySelector("#target-dialog-title").textContent = title;
  dialog.querySelector("#target-submit").textContent = submitText;
  const choices = dialog.querySelector("#target-choices");
  choices.replaceChildren();
  const loaded = loadFragment(url("transfer-targets"), choices);
  return run(dialog, {
    prepare: async () => {
      if ((await loaded).ok) return;
      dialog.querySelector(".dialog__error").textContent = "The choices could not be loaded; try again.";
    },
    read: (form) => {
      const chosen = form.querySelector("input[name=target]:checked");
      if (!chosen) return null;
      const [kind, id] = chosen.value.split(":");
      return { [kind]: Number(id) };
    },
    action,
  });
}

/** Postpone, optionally until a time. */
export async function askPostpone({ action }) {
  const dialog = document.getElementById("postpone-dialog");
  return run(dialog, {
    prepare: (form) => {
      form.elements.until.value = "";
    },
    read: (form) => {
      const value = form.elements.until.value;
      return { until: value ? new Date(value).toISOString() : null };
    },
    action,
  });
}
