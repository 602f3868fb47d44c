/**
 * The message widget's composer: Enter sends, Shift+Enter starts a new line; templates insert
 * their text (placeholders filled by the server), an approved WhatsApp template asks for its
 * parameters and is sent as itself; emoji; files by Select files or by dropping
 * them on the grey area, checked against the channel's type and size limits before they are
 * sent (the server checks again). Where the reply window forbids free text it says why and
 * offers what is allowed: WhatsApp's approved templates with their parameters.
 */
import { ApiError, api } from "cc/api.js";
import { msUntil } from "cc/clock.js";
import { bytes, clockTime, h } from "cc/dom.js";
import { url } from "cc/urls.js";
import { openEmojiPicker } from "messaging/emoji.js";

/** The kind of file a content type is sent as (messaging.services.outbound.attachment_kind). */
function kindOf(contentType) {
  const major = contentType.split("/")[0];
  return ["image", "audio", "video"].includes(major) ? major : "file";
}

/** Why the channel would refuse the file, or "" (messaging.connectors.base.attachment_refusal). */
export function fileRefusal(rules, file) {
  const contentType = file.type || "application/octet-stream";
  const kind = kindOf(contentType);
  const rule = rules.attachment_rules[kind];
  if (!rule) return `${rules.channel} does not accept ${kind} files.`;
  if (rule.content_types.length && !rule.content_types.includes(contentType)) {
    return `${rules.channel} does not accept ${contentType} ${kind} files.`;
  }
  if (file.size > rule.max_bytes) {
    return `${rules.channel} accepts ${kind} files up to ${Math.max(1, Math.floor(rule.max_bytes / 1048576))} MB.`;
  }
  return "";
}

export class Composer {
  #form;
  #activityId;
  #rules;
  #templates;
  #files = [];
  #windowTimer = null;
  #onSent;

  constructor({ form, activityId, rules, templates, onSent }) {
    this.#form = form;
    this.#activityId = activityId;
    this.#rules = rules;
    this.#templates = templates;
    this.#onSent = onSent;
    this.#wire();
    this.#showWindow();
  }

  get #text() {
    return this.#form.querySelector(".composer__text");
  }

  /** The customer wrote: the reply window may have opened again. */
  async refreshWindow() {
    try {
      const identity = await api("GET", url("identity-detail", { pk: this.#rules.identity_id }));
      this.#rules.window = identity.reply_window;
      this.#showWindow();
    } catch {
      // The next send is checked by the server anyway.
    }
  }

  #wire() {
    const text = this.#text;
    text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.#send();
      }
    });
    this.#form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#send();
    });
    const templates = this.#form.querySelector(".composer__templates");
    templates.addEventListener("change", () => {
      const option = templates.selectedOptions[0];
      const template = this.#templates.find((item) => String(item.id) === templates.value);
      if (option?.hasAttribute("data-approved")) this.#openApproved(templates.value);
      else if (template) this.#insert(template.text);
      templates.value = "";
    });
    const emojiButton = this.#form.querySelector(".composer__emoji");
    emojiButton.addEventListener("click", () =>
      openEmojiPicker({ anchor: emojiButton.parentElement, button: emojiButton,
        onPick: (char) => this.#insert(char) }));
    const input = this.#form.querySelector(".composer__file-input");
    this.#form.querySelector(".composer__select").addEventListener("click", () => input.click());
    input.addEventListener("change", () => {
      this.#addFiles([...input.files]);
      input.value = "";
    });
    const drop = this.#form.querySelector(".composer__drop");
    drop.addEventListener("dragover", (event) => {
      event.preventDefault();
      drop.classList.add("composer__drop--over");
    });
    drop.addEventListener("dragleave", () => drop.classList.remove("composer__drop--over"));
    drop.addEventListener("drop", (event) => {
      event.preventDefault();
      drop.classList.remove("composer__drop--over");
      this.#addFiles([...event.dataTransfer.files]);
    });
    this.#wireWhatsAppTemplates();
  }

  #insert(snippet) {
    const text = this.#text;
    const start = text.selectionStart ?? text.value.length;
    const end = text.selectionEnd ?? start;
    text.setRangeText(snippet, start, end, "end");
    text.focus();
  }

  #addFiles(files) {
    const refusals = [];
    for (const file of files) {
      const refusal = fileRefusal(this.#rules, file);
      if (refusal) refusals.push(`${file.name}: ${refusal}`);
      else this.#files.push(file);
    }
    this.#error(refusals.join(" "));
    this.#renderFiles();
  }

  #renderFiles() {
    this.#form.querySelector(".composer__files").replaceChildren(
      ...this.#files.map((file, index) =>
        h("li", { class: "file-chip" }, `${file.name} (${bytes(file.size)})`,
          h("button", { type: "button", class: "file-chip__remove", "aria-label": `Remove ${file.name}`,
            onclick: () => { this.#files.splice(index, 1); this.#renderFiles(); } }, "\u00d7"))),
    );
  }

  /** Send what is typed and attached. The composer empties at once, so the agent can write
   * the next message while this one goes; a refused send puts it back. */
  async #send() {
    const text = this.#text.value.trim();
    const files = this.#files;
    if (!text && !files.length) return;
    if (text.length > this.#rules.text_limit) {
      this.#error(`The message is longer than the ${this.#rules.text_limit} characters ${this.#rules.channel} allows.`);
      return;
    }
    const body = new FormData();
    body.append("text", text);
    for (const file of files) body.append("files", file);
    this.#text.value = "";
    this.#files = [];
    this.#renderFiles();
    const sent = await this.#post(body);
    if (!sent) {
      if (!this.#text.value) this.#text.value = text;
      this.#files = [...files, ...this.#files];
      this.#renderFiles();
    }
  }

  /** Returns whether the server took the message. */
  async #post(body) {
    try {
      const sent = await api("POST", url("api-activity-messages", { activity_id: this.#activityId }), body);
      this.#error("");
      this.#onSent(sent.messages);
      return true;
    } catch (error) {
      this.#error(error instanceof ApiError ? error.message : String(error));
      if (["template_required", "outside_window"].includes(error.code)) this.refreshWindow();
      return false;
    }
  }

  #error(text) {
    this.#form.querySelector(".composer__error").textContent = text;
  }

  /** Say what the reply window allows now, and switch the composer to match. */
  #showWindow() {
    const { window: replyWindow, whatsapp_templates: templates } = this.#rules;
    const note = this.#form.querySelector(".composer__window");
    const freeText = replyWindow.free_text;
    this.#text.disabled = !freeText;
    this.#form.querySelector(".composer__drop").hidden = !freeText;
    const picker = this.#form.querySelector(".composer__wa");
    if (picker) {
      picker.hidden = !replyWindow.template_required;
      picker.querySelector(".composer__wa-cancel").hidden = replyWindow.template_required;
    }
    note.className = `composer__window${freeText ? "" : " composer__window--blocked"}`;
    if (replyWindow.template_required) {
      note.textContent = templates.length
        ? "More than 24 hours have passed since the customer last wrote: WhatsApp allows only an approved template."
        : "More than 24 hours have passed since the customer last wrote: WhatsApp allows only an approved template, and none is set up for this queue.";
    } else if (replyWindow.refusal) {
      note.textContent = replyWindow.refusal;
    } else if (replyWindow.tag) {
      note.textContent = `More than 24 hours since the customer last wrote: replies go out with the ${replyWindow.tag} tag until ${clockTime(replyWindow.closes_at)}.`;
    } else {
      note.textContent = "";
    }
    clearTimeout(this.#windowTimer);
    if (replyWindow.closes_at) {
      const left = msUntil(replyWindow.closes_at);
      if (left < 2 ** 31) this.#windowTimer = setTimeout(() => this.refreshWindow(), Math.max(0, left) + 1000);
    }
  }

  /** An approved template chosen under Templates: WhatsApp sends it only as itself, so it
   * opens the form asking for its parameters instead of putting {{1}} into the message. */
  #openApproved(templateId) {
    const picker = this.#form.querySelector(".composer__wa");
    const select = picker.querySelector(".composer__wa-template");
    select.value = templateId;
    select.dispatchEvent(new Event("change"));
    picker.hidden = false;
    picker.querySelector("[data-parameter]")?.focus();
  }

  #wireWhatsAppTemplates() {
    const picker = this.#form.querySelector(".composer__wa");
    if (!picker) return;
    const select = picker.querySelector(".composer__wa-template");
    const chosen = () => this.#rules.whatsapp_templates.find((item) => String(item.id) === select.value);
    const showParameters = () => {
      const template = chosen();
      picker.querySelector(".composer__wa-preview").textContent = template.text;
      picker.querySelector(".composer__wa-params").replaceChildren(
        ...template.parameters.map((parameter, index) =>
          h("label", { class: "composer__wa-param" }, `{{${index + 1}}} ${parameter.name}`,
            h("input", { type: "text", value: parameter.value, "data-parameter": index }))),
      );
    };
    select.addEventListener("change", showParameters);
    showParameters();
    picker.querySelector(".composer__wa-cancel").addEventListener("click", () => { picker.hidden = true; });
    picker.querySelector(".composer__wa-send").addEventListener("click", () => {
      const inputs = [...picker.querySelectorAll("[data-parameter]")];
      const missing = inputs.find((input) => !input.value.trim());
      if (missing) {
        this.#error("Fill in every parameter of the template.");
        missing.focus();
        return;
      }
      const button = picker.querySelector(".composer__wa-send");
      button.disabled = true;
      this.#post({ template: Number(select.value), template_parameters: inputs.map((input) => input.value.trim()) })
        .then((sent) => { if (sent) { showParameters(); this.#showWindow(); } })
        .finally(() => { button.disabled = false; });
    });
  }
}
