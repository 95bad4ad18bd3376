// The admin page's audit log: sharing changes, sign-ins, account changes and runtime
// starts/stops, newest first, filtered by user, kind and time, with "Older" for the next
// page. Every value is set as text (names and details come from users).
import { api } from "../../api";
import type { AuditEventOut, AuditPage } from "../../api-types";
import { h } from "../dom";

const KINDS: [string, string][] = [
  ["", "All events"],
  ["share", "Sharing"],
  ["ownership", "Ownership"],
  ["signin", "Sign-ins"],
  ["signin.failed", "Failed sign-ins"],
  ["signout", "Sign-outs"],
  ["account", "Account changes"],
  ["runtime", "Runtimes"],
];
const PAGE = 50;

/** A datetime-local value (the browser's time zone) as an ISO time, or null. */
function isoOf(value: string): string | null {
  return value ? new Date(value).toISOString() : null;
}

function detailText(e: AuditEventOut): string {
  return Object.entries(e.detail)
    .filter(([, v]) => v !== null && v !== "")
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(", ");
}

export class AuditSection {
  private readonly rows = h("tbody", { "data-testid": "audit-rows" });
  private readonly user = h("input", { name: "user", placeholder: "user", "aria-label": "User", "data-testid": "audit-user" });
  private readonly kind = h("select", { name: "kind", "aria-label": "Kind of event", "data-testid": "audit-kind" });
  private readonly since = h("input", { type: "datetime-local", name: "since", "aria-label": "From", "data-testid": "audit-since" });
  private readonly until = h("input", { type: "datetime-local", name: "until", "aria-label": "Until", "data-testid": "audit-until" });
  private readonly more = h("button", { type: "button", "data-testid": "audit-more", hidden: "" }, "Older");
  private readonly error = h("p", { class: "error", role: "alert", "data-testid": "audit-error" });
  private next: number | null = null;

  constructor(private readonly onError: (e: unknown) => void = () => {}) {
    for (const [value, label] of KINDS) this.kind.append(h("option", { value }, label));
  }

  element(): HTMLElement {
    const form = h(
      "form",
      { class: "admin-add audit-filters", "data-testid": "audit-filters" },
      this.user,
      this.kind,
      h("label", {}, "From ", this.since),
      h("label", {}, "until ", this.until),
      h("button", { type: "submit", class: "primary", "data-testid": "audit-apply" }, "Show"),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.reload();
    });
    this.more.addEventListener("click", () => void this.load(true));
    const table = h(
      "table",
      { class: "drive-table admin-table audit-table" },
      h("thead", {}, h("tr", {}, ...["Time", "Event", "By", "About", "Target", "Details"].map((t) => h("th", {}, t)))),
      this.rows,
    );
    return h("section", { "data-testid": "audit" }, h("h2", { class: "home-title" }, "Audit log"), form, this.error, table, this.more);
  }

  async reload(): Promise<void> {
    this.next = null;
    await this.load(false);
  }

  private async load(older: boolean): Promise<void> {
    const q = new URLSearchParams({ limit: String(PAGE) });
    const user = this.user.value.trim();
    if (user) q.set("user", user);
    if (this.kind.value) q.set("kind", this.kind.value);
    try {
      const since = isoOf(this.since.value);
      const until = isoOf(this.until.value);
      if (since) q.set("since", since);
      if (until) q.set("until", until);
      if (older && this.next !== null) q.set("before", String(this.next));
      const page = await api<AuditPage>("GET", `/api/admin/audit?${q.toString()}`);
      this.error.textContent = "";
      const rows = page.events.map((e) => this.row(e));
      if (older) this.rows.append(...rows);
      else if (rows.length) this.rows.replaceChildren(...rows);
      else this.rows.replaceChildren(h("tr", {}, h("td", { colspan: "6", class: "muted" }, "No events.")));
      this.next = page.next_before;
      this.more.hidden = page.next_before === null;
    } catch (e) {
      this.error.textContent = e instanceof Error ? e.message : "That did not work.";
      this.onError(e);
    }
  }

  private row(e: AuditEventOut): HTMLElement {
    return h(
      "tr",
      { "data-testid": "audit-event", "data-kind": e.kind },
      h("td", { class: "mono" }, new Date(e.at).toLocaleString()),
      h("td", {}, e.kind),
      h("td", {}, e.actor ?? (e.detail.via === "cli" ? "command line" : "-")),
      h("td", {}, e.subject ?? "-"),
      h("td", { class: "mono", title: e.target ?? "" }, e.target ?? "-"),
      h("td", { class: "audit-detail" }, detailText(e)),
    );
  }
}
