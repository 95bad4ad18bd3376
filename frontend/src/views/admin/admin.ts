// The admin page at "/admin": accounts (add, disable, admin rights, password, quotas),
// everyone's runtimes (stop), storage and GPU hours per user. The server refuses every
// /api/admin route to non-admins; this page only shows what it answers.
import "./admin.css";

import { api } from "../../api";
import type { AccountList, AccountOut, AdminRuntimeList, AdminRuntimeOut, Me, QuotasOut } from "../../api-types";
import { h } from "../dom";
import { confirmDialog } from "../home/dialogs";
import { AuditSection } from "./audit";
import { passwordDialog, quotaDialog } from "./dialogs";
import { formatBytes, usage } from "./format";

export class AdminPage {
  private readonly status = h("p", { class: "error", role: "alert", "data-testid": "admin-error" });
  private readonly users = h("tbody", { "data-testid": "admin-users" });
  private readonly runtimes = h("tbody", { "data-testid": "admin-runtimes" });
  private readonly defaults = h("p", { class: "muted", "data-testid": "admin-defaults" });
  private readonly audit = new AuditSection();

  constructor(
    private root: HTMLElement,
    private me: Me,
    private navigate: (path: string) => void,
  ) {}

  async render(): Promise<void> {
    const home = h("a", { href: "/", class: "brand" }, "cloudbook");
    home.addEventListener("click", (e) => {
      e.preventDefault();
      this.navigate("/");
    });
    const header = h(
      "header",
      { class: "home-header" },
      home,
      h("h1", { class: "admin-title" }, "Admin"),
      h("span", { class: "muted", "data-testid": "user-name" }, this.me.name),
    );
    const userTable = h(
      "table",
      { class: "drive-table admin-table" },
      h("thead", {}, h("tr", {}, ...["Name", "Role", "Sign-in", "Storage", "GPU hours", "Runtimes", ""].map((t) => h("th", {}, t)))),
      this.users,
    );
    const runtimeTable = h(
      "table",
      { class: "drive-table admin-table" },
      h("thead", {}, h("tr", {}, ...["Runtime", "User", "Notebook", "GPU", ""].map((t) => h("th", {}, t)))),
      this.runtimes,
    );
    const main = h(
      "main",
      { class: "admin-main" },
      this.status,
      h("section", {}, h("h2", { class: "home-title" }, "Users"), this.defaults, userTable, this.addForm()),
      h("section", {}, h("h2", { class: "home-title" }, "Running runtimes"), runtimeTable),
      this.audit.element(),
    );
    this.root.replaceChildren(h("div", { class: "home admin" }, header, main));
    await this.load();
  }

  private async load(): Promise<void> {
    try {
      const [list, running] = await Promise.all([
        api<AccountList>("GET", "/api/admin/users"),
        api<AdminRuntimeList>("GET", "/api/admin/runtimes"),
        this.audit.reload(),
      ]);
      this.defaults.textContent = `Defaults: ${quotaText(list.defaults)}`;
      this.users.replaceChildren(...list.users.map((u) => this.userRow(u)));
      this.runtimes.replaceChildren(
        ...(running.runtimes.length
          ? running.runtimes.map((r) => this.runtimeRow(r))
          : [h("tr", {}, h("td", { colspan: "5", class: "muted" }, "No runtime is running."))]),
      );
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    this.status.textContent = e instanceof Error ? e.message : "That did not work.";
  }

  /** Run a change, then show the page as the server now has it. */
  private async act(run: () => Promise<unknown>): Promise<void> {
    this.status.textContent = "";
    try {
      await run();
    } catch (e) {
      this.fail(e);
    }
    await this.load();
  }

  private button(label: string, testid: string, run: () => Promise<unknown>): HTMLButtonElement {
    const b = h("button", { type: "button", "data-testid": testid }, label);
    b.addEventListener("click", () => void this.act(run));
    return b;
  }

  private userRow(u: AccountOut): HTMLElement {
    const patch = (body: object) => api("PATCH", `/api/admin/users/${u.id}`, body);
    const e = u.effective;
    const name = h("td", { class: "admin-name" }, h("span", {}, u.name));
    if (u.email) name.append(h("span", { class: "muted" }, u.email));
    const actions = h(
      "td",
      { class: "admin-actions" },
      u.disabled
        ? this.button("Enable", "enable", () => patch({ disabled: false }))
        : this.button("Disable", "disable", () => patch({ disabled: true })),
      u.is_admin
        ? this.button("Remove admin", "unmake-admin", () => patch({ is_admin: false }))
        : this.button("Make admin", "make-admin", () => patch({ is_admin: true })),
      this.button("Reset password", "reset-password", () =>
        passwordDialog(u, async (password) => {
          await api("POST", `/api/admin/users/${u.id}/password`, { password });
        }),
      ),
      this.button("Quotas", "edit-quotas", () =>
        quotaDialog(u, async (quotas) => {
          await patch({ quotas });
        }),
      ),
    );
    const row = h(
      "tr",
      { "data-testid": "admin-user", "data-name": u.name, class: u.disabled ? "disabled" : "" },
      name,
      h("td", {}, (u.is_admin ? "Admin" : "User") + (u.disabled ? " (disabled)" : "")),
      h("td", {}, u.signs_in_with_oidc ? "Single sign-on" : u.has_password ? "Password" : "Login link"),
      h("td", { "data-testid": "storage" }, usage(formatBytes(u.storage_bytes), e.drive_bytes === null ? null : formatBytes(e.drive_bytes))),
      h("td", { "data-testid": "gpu-hours" }, usage(u.gpu_hours.toFixed(2), e.gpu_hours === null ? null : String(e.gpu_hours))),
      h("td", { "data-testid": "runtimes" }, usage(String(u.runtimes), e.runtimes === null ? null : String(e.runtimes))),
      actions,
    );
    return row;
  }

  private runtimeRow(r: AdminRuntimeOut): HTMLElement {
    const stop = this.button("Stop", "stop-runtime", async () => {
      if (await confirmDialog("Stop this runtime?", `${r.owner ?? "Its user"} loses the runtime's state.`, "Stop")) {
        await api("DELETE", `/api/admin/runtimes/${encodeURIComponent(r.id)}`);
      }
    });
    return h(
      "tr",
      { "data-testid": "admin-runtime", "data-owner": r.owner ?? "" },
      h("td", { class: "mono" }, r.id.slice(0, 8)),
      h("td", {}, r.owner ?? "-"),
      h("td", { class: "mono" }, r.notebook_id ? r.notebook_id.slice(0, 8) : "-"),
      h("td", {}, r.gpu ?? "-"),
      h("td", {}, stop),
    );
  }

  private addForm(): HTMLElement {
    const name = h("input", { name: "name", placeholder: "user name", "aria-label": "New user name", "data-testid": "new-user-name" });
    const password = h("input", {
      name: "password",
      type: "password",
      placeholder: "password (optional)",
      title: "Leave empty for an account that signs in with single sign-on or a login link",
      "aria-label": "New user's password",
      autocomplete: "new-password",
      "data-testid": "new-user-password",
    });
    const admin = h("input", { type: "checkbox", name: "admin", "data-testid": "new-user-admin" });
    const add = h("button", { type: "submit", class: "primary", "data-testid": "add-user" }, "Add user");
    const form = h("form", { class: "admin-add" }, name, password, h("label", {}, admin, " Admin"), add);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.act(async () => {
        await api("POST", "/api/admin/users", {
          name: name.value.trim(),
          password: password.value || null,
          is_admin: admin.checked,
        });
        form.reset();
      });
    });
    return form;
  }
}

function quotaText(q: QuotasOut): string {
  const drive = q.drive_bytes === null ? "no limit" : formatBytes(q.drive_bytes);
  const runtimes = q.runtimes === null ? "no limit" : String(q.runtimes);
  const gpu = q.gpu_hours === null ? "no limit" : `${q.gpu_hours}`;
  return `drive ${drive}, runtimes at once ${runtimes}, GPU hours ${gpu}`;
}
