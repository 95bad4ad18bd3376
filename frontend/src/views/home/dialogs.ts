// Small modal dialogs of the drive: a name prompt, a confirmation, a folder picker.
import { ApiError } from "../../api";
import { h } from "../dom";
import { ICONS } from "../icons";
import { Modal } from "../modal";
import { baseName } from "./model";

function actions(ok: HTMLButtonElement, cancel: () => void): HTMLElement {
  const no = h("button", { type: "button", "data-testid": "dialog-cancel" }, "Cancel");
  no.addEventListener("click", cancel);
  return h("div", { class: "dialog-actions" }, no, ok);
}

/** Asks for a name; `submit` runs on OK and may throw an ApiError, shown in the dialog
 * (which then stays open). Resolves with submit's result, or null when cancelled. */
export function promptDialog<T>(
  title: string,
  initial: string,
  submit: (value: string) => Promise<T>,
  okLabel = "OK",
): Promise<T | null> {
  return new Promise((resolve) => {
    let done = false;
    const modal = new Modal(title, "drive-dialog", () => {
      if (!done) resolve(null);
    });
    const input = h("input", { type: "text", "aria-label": title, "data-testid": "dialog-input" });
    input.value = initial;
    const error = h("p", { class: "error", role: "alert", "data-testid": "dialog-error" });
    const ok = h("button", { type: "submit", class: "primary", "data-testid": "dialog-ok" }, okLabel);
    const form = h("form", {}, h("h2", {}, title), input, error, actions(ok, () => modal.close()));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      ok.disabled = true;
      error.textContent = "";
      try {
        const result = await submit(input.value);
        done = true;
        modal.close();
        resolve(result);
      } catch (err) {
        error.textContent = err instanceof Error ? err.message : "That did not work.";
        ok.disabled = false;
        input.focus();
      }
    });
    modal.box.append(form);
    input.focus();
    // Select the name without ".ipynb", as Drive does.
    const dot = initial.toLowerCase().endsWith(".ipynb") ? initial.length - 6 : initial.length;
    input.setSelectionRange(0, dot);
  });
}

export function confirmDialog(title: string, message: string, okLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    let answer = false;
    const modal = new Modal(title, "drive-dialog", () => resolve(answer));
    const ok = h("button", { type: "button", class: "primary", "data-testid": "dialog-ok" }, okLabel);
    ok.addEventListener("click", () => {
      answer = true;
      modal.close();
    });
    modal.box.append(h("h2", {}, title), h("p", {}, message), actions(ok, () => modal.close()));
    ok.focus();
  });
}

/** Picks a destination folder among `folders` ("" is My Drive); `exclude` and its
 * subfolders are left out (a folder cannot go into itself). */
export function moveDialog(
  title: string,
  folders: string[],
  current: string,
  submit: (folder: string) => Promise<unknown>,
  exclude?: string,
): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    const modal = new Modal(title, "drive-dialog", () => resolve(done));
    const choices = ["", ...folders].filter(
      (f) => exclude === undefined || (f !== exclude && !f.startsWith(`${exclude}/`)),
    );
    let chosen = current;
    const error = h("p", { class: "error", role: "alert", "data-testid": "dialog-error" });
    const ok = h("button", { type: "button", class: "primary", "data-testid": "dialog-ok" }, "Move");
    const list = h("div", { class: "folder-picker", role: "listbox", "aria-label": "Folders" });
    const options = choices.map((f) => {
      const depth = f ? f.split("/").length : 0;
      const option = h(
        "button",
        {
          type: "button",
          role: "option",
          class: "folder-option",
          "data-testid": "move-target",
          "data-folder": f,
          "aria-selected": String(f === chosen),
          style: `padding-left: ${12 + depth * 16}px`,
        },
        h("span", { class: "icon" }),
        f ? baseName(f) : "My Drive",
      );
      option.querySelector(".icon")!.innerHTML = ICONS.folder;
      option.addEventListener("click", () => {
        chosen = f;
        for (const o of options) o.setAttribute("aria-selected", String(o === option));
      });
      option.addEventListener("dblclick", () => ok.click());
      return option;
    });
    list.append(...options);
    ok.addEventListener("click", async () => {
      ok.disabled = true;
      try {
        await submit(chosen);
        done = true;
        modal.close();
      } catch (err) {
        error.textContent = err instanceof ApiError ? err.message : "Could not move it.";
        ok.disabled = false;
      }
    });
    modal.box.append(h("h2", {}, title), list, error, actions(ok, () => modal.close()));
    (options.find((o) => o.getAttribute("aria-selected") === "true") ?? options[0])?.focus();
  });
}
