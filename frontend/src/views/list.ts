// The notebook list at "/": the user's notebooks, newest first, and "New notebook".
import { api } from "../api";
import type { Me, NotebookList, NotebookOut } from "../api-types";
import { h } from "./dom";

/** The first free "UntitledN.ipynb" name, as Colab names new notebooks. */
export function untitledName(taken: Iterable<string>): string {
  const names = new Set(taken);
  let i = 0;
  while (names.has(`Untitled${i}.ipynb`)) i++;
  return `Untitled${i}.ipynb`;
}

export async function renderList(
  root: HTMLElement,
  me: Me,
  navigate: (path: string) => void,
  onLogout: () => void,
): Promise<void> {
  const { notebooks } = await api<NotebookList>("GET", "/api/notebooks");
  notebooks.sort((a, b) => b.updated_at.localeCompare(a.updated_at));
  const error = h("p", { class: "error", role: "alert" });
  const create = h("button", { class: "primary", "data-testid": "new-notebook" }, "New notebook");
  create.addEventListener("click", async () => {
    create.disabled = true;
    try {
      const name = untitledName(notebooks.map((n) => n.name));
      const nb = await api<NotebookOut>("POST", "/api/notebooks", { name });
      navigate(`/notebooks/${encodeURIComponent(nb.id)}`);
    } catch (e) {
      error.textContent = e instanceof Error ? e.message : "Could not create a notebook.";
      create.disabled = false;
    }
  });
  const logout = h("button", { "data-testid": "logout" }, "Log out");
  logout.addEventListener("click", async () => {
    await api("POST", "/api/auth/logout").catch(() => undefined);
    onLogout();
  });
  const items = notebooks.map((nb) => {
    const href = `/notebooks/${encodeURIComponent(nb.id)}`;
    const link = h("a", { href, "data-testid": "notebook-link" }, nb.name);
    link.addEventListener("click", (e) => {
      if (e.ctrlKey || e.metaKey || e.shiftKey) return; // let the browser open a new tab
      e.preventDefault();
      navigate(href);
    });
    const when = new Date(nb.updated_at).toLocaleString();
    return h("li", {}, link, h("span", { class: "muted" }, when));
  });
  root.replaceChildren(
    h(
      "main",
      { class: "list" },
      h(
        "header",
        {},
        h("h1", {}, "cloudbook"),
        h("span", { class: "spacer" }),
        h("span", { class: "muted", "data-testid": "user-name" }, me.name),
        logout,
      ),
      h("div", { class: "list-actions" }, h("h2", {}, "Notebooks"), create),
      error,
      notebooks.length
        ? h("ul", { class: "notebooks", "data-testid": "notebook-list" }, ...items)
        : h("p", { class: "muted" }, "No notebooks yet."),
    ),
  );
}
