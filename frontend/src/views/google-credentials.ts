// "Google credentials" in the Secrets panel: what auth.authenticate_user() hands the runtime
// (docs/bigquery.md). A service-account key or an authorized_user file (OAuth client and
// refresh token) is pasted or picked as a file and stored; the panel shows only who the
// runtime would act as, never the key. Write-only, like secrets.
import { api, ApiError } from "../api";
import type { GoogleCredentialOut } from "../api-types";
import { h } from "./dom";

const PATH = "/api/me/credentials/google";

export class GoogleCredentialsSection {
  readonly el = h("section", {
    class: "google-credentials",
    "data-testid": "google-credentials",
  });
  private statusEl = h("div", { class: "google-credentials-status", "data-testid": "google-status" });
  private errorEl = h("div", { class: "secrets-error", role: "alert", hidden: true });
  private text = h("textarea", {
    rows: "3",
    placeholder: '{"type": "service_account", …} or {"type": "authorized_user", …}',
    spellcheck: "false",
    autocomplete: "off",
    "aria-label": "Google credentials JSON",
    "data-testid": "google-json",
  });
  private removeButton = h("button", { "data-testid": "google-remove" }, "Remove");

  constructor() {
    const file = h("input", {
      type: "file",
      accept: ".json,application/json",
      hidden: true,
      "data-testid": "google-file",
    });
    const pick = h("button", { "data-testid": "google-pick" }, "Upload JSON file…");
    const save = h("button", { class: "primary", "data-testid": "google-save" }, "Save");
    pick.addEventListener("click", () => file.click());
    file.addEventListener("change", () => {
      const chosen = file.files?.[0];
      file.value = "";
      if (chosen) void chosen.text().then((t) => this.store(t));
    });
    save.addEventListener("click", () => {
      const t = this.text.value;
      if (t.trim()) void this.store(t);
    });
    this.removeButton.addEventListener("click", () => {
      void this.attempt(async () => this.show(await this.remove()));
    });
    this.el.append(
      h("h3", {}, "Google credentials"),
      h(
        "p",
        {},
        "Used by auth.authenticate_user() (BigQuery, Google Cloud libraries). Each run asks " +
          "before the runtime gets them. Only you and the runtimes you allow can use them.",
      ),
      this.statusEl,
      this.text,
      h("div", { class: "google-credentials-buttons" }, pick, save, this.removeButton),
      this.errorEl,
      file,
    );
  }

  private async remove(): Promise<GoogleCredentialOut> {
    await api("DELETE", PATH);
    return { stored: false };
  }

  private async store(json: string): Promise<void> {
    await this.attempt(async () => {
      this.show(await api<GoogleCredentialOut>("PUT", PATH, { credentials_json: json }));
      this.text.value = ""; // never kept in the page once stored
    });
  }

  async refresh(): Promise<void> {
    await this.attempt(async () => this.show(await api<GoogleCredentialOut>("GET", PATH)));
  }

  private show(info: GoogleCredentialOut): void {
    this.removeButton.hidden = !info.stored;
    if (!info.stored) {
      this.statusEl.textContent = "None stored.";
      return;
    }
    const kind = info.type === "service_account" ? "Service account" : "OAuth refresh token of";
    const project = info.project_id ? ` (project ${info.project_id})` : "";
    this.statusEl.textContent = `${kind} ${info.principal ?? ""}${project}`;
  }

  private async attempt(work: () => Promise<void>): Promise<void> {
    this.errorEl.hidden = true;
    try {
      await work();
    } catch (err) {
      this.errorEl.textContent = err instanceof ApiError ? err.message : "Something went wrong.";
      this.errorEl.hidden = false;
    }
  }
}
