// The admin page's dialogs: per-user quotas and a password reset.
import { ApiError } from "../../api";
import type { AccountOut, QuotasIn } from "../../api-types";
import { h } from "../dom";
import { Modal } from "../modal";
import { parseCount, parseSize, sizeText } from "./format";

function form(
  title: string,
  fields: HTMLElement[],
  okLabel: string,
  submit: () => Promise<void>,
): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    const modal = new Modal(title, "drive-dialog admin-dialog", () => resolve(done));
    const error = h("p", { class: "error", role: "alert", "data-testid": "dialog-error" });
    const ok = h("button", { type: "submit", class: "primary", "data-testid": "dialog-ok" }, okLabel);
    const cancel = h("button", { type: "button", "data-testid": "dialog-cancel" }, "Cancel");
    cancel.addEventListener("click", () => modal.close());
    const el = h("form", {}, h("h2", {}, title), ...fields, error, h("div", { class: "dialog-actions" }, cancel, ok));
    el.addEventListener("submit", async (e) => {
      e.preventDefault();
      ok.disabled = true;
      error.textContent = "";
      try {
        await submit();
        done = true;
        modal.close();
      } catch (err) {
        error.textContent = err instanceof Error || err instanceof ApiError ? err.message : "That did not work.";
        ok.disabled = false;
      }
    });
    modal.box.append(el);
    el.querySelector("input")?.focus();
  });
}

function field(label: string, name: string, value: string, hint: string, type = "text"): [HTMLElement, HTMLInputElement] {
  const input = h("input", { type, name, "data-testid": `quota-${name}`, placeholder: hint });
  input.value = value;
  return [h("label", { class: "admin-field" }, label, input), input];
}

export function quotaDialog(user: AccountOut, save: (quotas: QuotasIn) => Promise<void>): Promise<boolean> {
  const o = user.overrides;
  const [driveRow, drive] = field("Drive size", "drive", o.drive_bytes === null ? "" : sizeText(o.drive_bytes), "default");
  const [runRow, runtimes] = field("Runtimes at once", "runtimes", o.runtimes === null ? "" : String(o.runtimes), "default");
  const [gpuRow, gpu] = field("GPU hours", "gpu_hours", o.gpu_hours === null ? "" : String(o.gpu_hours), "default");
  const note = h("p", { class: "muted" }, "Leave a field empty to use the service's default.");
  return form(`Quotas of ${user.name}`, [driveRow, runRow, gpuRow, note], "Save", async () => {
    await save({
      drive_bytes: parseSize(drive.value),
      runtimes: parseCount(runtimes.value, "Runtimes at once", true),
      gpu_hours: parseCount(gpu.value, "GPU hours", false),
    });
  });
}

export function passwordDialog(user: AccountOut, save: (password: string) => Promise<void>): Promise<boolean> {
  const [row, input] = field("New password", "password", "", "at least 8 characters", "password");
  const note = h("p", { class: "muted" }, "Their browser sessions end; they sign in with the new password.");
  return form(`Reset the password of ${user.name}`, [row, note], "Set password", () => save(input.value));
}
