// The Share dialog, as on Drive/Colab: add people by name with a role, change or remove
// them, "General access" (restricted, or anyone signed in with the link), copy the link,
// transfer ownership. The service decides (services/access.py); this only asks it.
import "./sharing.css";

import { api, ApiError } from "../api";
import type { SharesOut } from "../api-types";
import { openPublishDialog } from "../publish/publish-dialog";
import { h } from "../views/dom";
import { Modal } from "../views/modal";

export type ShareTarget =
  | { kind: "notebook"; id: string; name: string }
  | { kind: "folder"; path: string };

const ROLES = [
  ["viewer", "Viewer"],
  ["commenter", "Commenter"],
  ["editor", "Editor"],
] as const;

function endpoints(t: ShareTarget) {
  if (t.kind === "notebook") {
    const base = `/api/notebooks/${encodeURIComponent(t.id)}`;
    return {
      list: `${base}/shares`,
      person: (name: string) => `${base}/shares/${encodeURIComponent(name)}`,
      general: `${base}/general-access`,
    };
  }
  const q = `path=${encodeURIComponent(t.path)}`;
  return {
    list: `/api/folder-shares?${q}`,
    person: (name: string) => `/api/folder-shares/${encodeURIComponent(name)}?${q}`,
    general: `/api/folder-general-access?${q}`,
  };
}

function roleSelect(value: string, testid: string, extra: [string, string][] = []): HTMLSelectElement {
  const select = h("select", { "data-testid": testid });
  for (const [v, label] of [...extra, ...ROLES]) select.append(h("option", { value: v }, label));
  select.value = value;
  return select;
}

export function openShareDialog(target: ShareTarget, onOwnerChanged: () => void = () => {}): Modal {
  const modal = new Modal("Share", "share-dialog");
  const urls = endpoints(target);
  const label = target.kind === "notebook" ? target.name : target.path;
  const leaf = label.slice(label.lastIndexOf("/") + 1);
  const errorEl = h("p", { class: "share-error", role: "alert", "data-testid": "share-error", hidden: true });
  const peopleEl = h("ul", { class: "share-people", "data-testid": "share-people" });
  const generalEl = h("div", { class: "share-general" });
  const transferEl = h("div", { class: "share-transfer" });
  const nameInput = h("input", {
    type: "text",
    placeholder: "Add people by user name",
    "aria-label": "User name",
    "data-testid": "share-user",
    autocomplete: "off",
  });
  const addRole = roleSelect("viewer", "share-role");
  const addButton = h("button", { type: "button", class: "primary", "data-testid": "share-add" }, "Share");
  const addRow = h("div", { class: "share-add" }, nameInput, addRole, addButton);

  const attempt = async (work: () => Promise<unknown>): Promise<void> => {
    errorEl.hidden = true;
    try {
      await work();
      await refresh();
    } catch (e) {
      errorEl.textContent = e instanceof ApiError ? e.message : "Could not change sharing.";
      errorEl.hidden = false;
    }
  };

  const render = (shares: SharesOut): void => {
    const owner = shares.role === "owner";
    addRow.hidden = !owner;
    const rows = [
      h("li", { "data-testid": "share-person" }, h("span", { class: "share-name" }, shares.owner),
        h("span", { class: "share-fixed" }, "Owner")),
    ];
    for (const p of shares.people) {
      const own = p.via === target.kind;
      const select = roleSelect(p.role, "share-person-role");
      select.disabled = !owner || !own;
      select.addEventListener("change", () =>
        void attempt(() => api("PATCH", urls.person(p.user), { role: select.value })),
      );
      const remove = h("button", { type: "button", class: "icon-button", "aria-label": `Remove ${p.user}`,
        "data-testid": "share-remove" }, "✕");
      remove.hidden = !owner || !own;
      remove.addEventListener("click", () => void attempt(() => api("DELETE", urls.person(p.user))));
      const note = own ? "" : `from folder ${p.via}`;
      rows.push(h("li", { "data-testid": "share-person" }, h("span", { class: "share-name" }, p.user),
        h("span", { class: "share-via" }, note), select, remove));
    }
    peopleEl.replaceChildren(...rows);
    const general = roleSelect(shares.general ?? "", "share-general", [["", "Restricted"]]);
    general.disabled = !owner;
    general.addEventListener("change", () =>
      void attempt(() => api("PUT", urls.general, { role: general.value || null })),
    );
    const explain = h("span", { class: "share-explain" },
      shares.general ? "Anyone signed in who has the link, as" : "Only people with access can open with the link");
    generalEl.replaceChildren(h("h3", {}, "General access"), h("div", { class: "share-row" }, general, explain));
    transferEl.hidden = !owner || target.kind !== "notebook";
    publishEl.hidden = !owner || target.kind !== "notebook";
  };

  const refresh = async (): Promise<void> => {
    render(await api<SharesOut>("GET", urls.list));
  };

  addButton.addEventListener("click", () => {
    const user = nameInput.value.trim();
    if (!user) return;
    void attempt(async () => {
      await api("POST", urls.list, { user, role: addRole.value });
      nameInput.value = "";
    });
  });
  nameInput.addEventListener("keydown", (e) => {
    if (e.key === "Enter") addButton.click();
  });

  const copied = h("span", { class: "share-copied", "data-testid": "share-copied", "aria-live": "polite" });
  const copy = h("button", { type: "button", "data-testid": "share-copy-link" }, "Copy link");
  const link =
    target.kind === "notebook"
      ? `${location.origin}/notebooks/${encodeURIComponent(target.id)}`
      : `${location.origin}/?view=shared`;
  const linkField = h("input", { type: "text", readonly: true, value: link, "aria-label": "Link",
    "data-testid": "share-link" });
  copy.addEventListener("click", () => {
    linkField.select();
    navigator.clipboard
      ?.writeText(link)
      .then(() => (copied.textContent = "Link copied"))
      .catch(() => (copied.textContent = "Select the link and copy it"));
  });

  const newOwner = h("input", { type: "text", placeholder: "New owner's user name", "aria-label": "New owner",
    "data-testid": "share-owner-name" });
  const transfer = h("button", { type: "button", "data-testid": "share-transfer" }, "Transfer ownership");
  transfer.addEventListener("click", () => {
    const user = newOwner.value.trim();
    if (!user || target.kind !== "notebook") return;
    if (!confirm(`Make ${user} the owner? You keep editor access.`)) return;
    void attempt(async () => {
      await api("POST", `/api/notebooks/${encodeURIComponent(target.id)}/owner`, { user });
      onOwnerChanged();
    });
  });
  transferEl.append(h("h3", {}, "Transfer ownership"), h("div", { class: "share-row" }, newOwner, transfer));

  // A read-only page anyone can open without signing in (the publish dialog says more).
  const publishEl = h("div", { class: "share-publish", hidden: true });
  const publishButton = h("button", { type: "button", "data-testid": "share-publish" }, "Publish to the web…");
  publishButton.addEventListener("click", () => {
    if (target.kind !== "notebook") return;
    modal.close();
    openPublishDialog(target.id, async () => {});
  });
  publishEl.append(h("h3", {}, "Publish to the web"), h("div", { class: "share-row" }, publishButton));

  const done = h("button", { type: "button", class: "primary", "data-testid": "share-done" }, "Done");
  done.addEventListener("click", () => modal.close());
  modal.box.append(
    h("h2", {}, `Share “${leaf}”`),
    addRow,
    errorEl,
    h("h3", {}, "People with access"),
    peopleEl,
    generalEl,
    transferEl,
    publishEl,
    h("div", { class: "share-row share-foot" }, linkField, copy, copied, h("span", { class: "spacer" }), done),
  );
  void refresh().then(
    () => nameInput.focus(),
    (e: unknown) => {
      errorEl.textContent = e instanceof ApiError ? e.message : "Could not load sharing.";
      errorEl.hidden = false;
    },
  );
  return modal;
}
