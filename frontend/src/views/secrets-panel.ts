// The Secrets side panel (Colab's key icon): the viewer's secrets by name, a masked field
// to replace a value, delete, and the "Notebook access" toggle for this notebook. Values
// are write-only here: the panel never asks the service for one.
import { api, ApiError } from "../api";
import type { SecretList, SecretOut } from "../api-types";
import { SECRETS_CHANGED } from "../colab/secrets";
import "../colab/secrets.css";
import { h } from "./dom";
import { GoogleCredentialsSection } from "./google-credentials";
import { ICONS } from "./icons";
import type { Panel } from "./sidebar";

const MASK = "••••••••";

export class SecretsPanel implements Panel {
  readonly id = "secrets";
  readonly title = "Secrets";
  readonly icon = ICONS.key;
  readonly el = h("div", { class: "secrets-panel", "data-testid": "secrets-panel" });
  private listEl = h("div", { class: "secrets-list", "data-testid": "secrets-list" });
  private errorEl = h("div", { class: "secrets-error", role: "alert", hidden: true });
  private addEl = h("div", { class: "secrets-new" });
  private google = new GoogleCredentialsSection();

  constructor(private notebookId: string) {
    const add = h("button", { class: "secrets-add", "data-testid": "secret-add" }, "+ Add new secret");
    add.addEventListener("click", () => this.showNewRow());
    this.el.append(
      h(
        "p",
        {},
        "Keep keys and tokens out of your code: values stored here are visible only to you " +
          "and to the notebooks you give access.",
      ),
      h("pre", {}, "from google.colab import userdata\nuserdata.get('secretName')"),
      h(
        "div",
        { class: "secrets-head" },
        h("span", { title: "Notebook access: may this notebook read it?" }, "Access"),
        h("span", {}, "Name"),
        h("span", {}, "Value"),
        h("span", {}),
      ),
      this.listEl,
      this.addEl,
      this.errorEl,
      add,
      this.google.el,
    );
    window.addEventListener(SECRETS_CHANGED, () => void this.refresh());
  }

  onShow(): void {
    void this.refresh();
    void this.google.refresh();
  }

  private base(name: string): string {
    return `/api/secrets/${encodeURIComponent(name)}`;
  }

  private async attempt(work: () => Promise<unknown>): Promise<boolean> {
    this.errorEl.hidden = true;
    try {
      await work();
      return true;
    } catch (err) {
      this.errorEl.textContent = err instanceof ApiError ? err.message : "Something went wrong.";
      this.errorEl.hidden = false;
      return false;
    }
  }

  async refresh(): Promise<void> {
    await this.attempt(async () => {
      const query = `?notebook_id=${encodeURIComponent(this.notebookId)}`;
      const data = await api<SecretList>("GET", `/api/secrets${query}`);
      this.listEl.replaceChildren(...data.secrets.map((s) => this.row(s)));
    });
  }

  private row(secret: SecretOut): HTMLElement {
    const toggle = h("input", {
      type: "checkbox",
      role: "switch",
      title: "Notebook access",
      "aria-label": `Notebook access to ${secret.name}`,
      "data-testid": "secret-access",
    });
    toggle.checked = Boolean(secret.access);
    toggle.addEventListener("change", () => {
      const path = `/api/notebooks/${encodeURIComponent(this.notebookId)}/secrets/${encodeURIComponent(secret.name)}/access`;
      void this.attempt(() => api("PUT", path, { granted: toggle.checked })).then((ok) => {
        if (!ok) toggle.checked = !toggle.checked;
      });
    });
    const value = h("input", {
      type: "password",
      placeholder: MASK,
      autocomplete: "off",
      "aria-label": `New value of ${secret.name}`,
      "data-testid": "secret-value",
    });
    const save = () => {
      if (!value.value) return;
      const text = value.value;
      value.value = "";
      void this.attempt(() => api("PUT", this.base(secret.name), { value: text })).then((ok) => {
        if (ok) value.placeholder = `${MASK} (saved)`;
      });
    };
    value.addEventListener("keydown", (e) => {
      if (e.key === "Enter") save();
    });
    value.addEventListener("blur", save);
    const remove = h("button", {
      class: "icon-button",
      title: "Delete secret",
      "aria-label": `Delete ${secret.name}`,
      "data-testid": "secret-delete",
    });
    remove.innerHTML = ICONS.close;
    remove.addEventListener("click", () => {
      void this.attempt(() => api("DELETE", this.base(secret.name))).then(() => this.refresh());
    });
    return h(
      "div",
      { class: "secret-row", "data-testid": "secret-row", "data-name": secret.name },
      toggle,
      h("span", { class: "secret-name", title: secret.name }, secret.name),
      value,
      remove,
    );
  }

  private showNewRow(): void {
    const name = h("input", {
      type: "text",
      placeholder: "Name",
      "aria-label": "Name of the new secret",
      "data-testid": "secret-new-name",
    });
    const value = h("input", {
      type: "password",
      placeholder: "Value",
      autocomplete: "off",
      "aria-label": "Value of the new secret",
      "data-testid": "secret-new-value",
    });
    const save = h("button", { class: "primary", "data-testid": "secret-save" }, "Save");
    const submit = () => {
      const key = name.value.trim();
      if (!key) return;
      void this.attempt(() => api("PUT", this.base(key), { value: value.value })).then((ok) => {
        if (!ok) return;
        this.addEl.replaceChildren();
        void this.refresh();
      });
    };
    save.addEventListener("click", submit);
    value.addEventListener("keydown", (e) => {
      if (e.key === "Enter") submit();
    });
    this.addEl.replaceChildren(h("div", { class: "secret-row" }, h("span", {}), name, value, save));
    name.focus();
  }
}
