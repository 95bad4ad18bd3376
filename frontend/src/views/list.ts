import type { NotebookList, NotebookOut } from "../api-types";
import { api } from "../api";
import { h } from "./dom";

export async function renderList(root: HTMLElement, navigate: (path: string) => void) {
  const { notebooks } = await api<NotebookList>("GET", "/api/notebooks");
  const create = h("button", { class: "primary", "data-testid": "new-notebook" }, "New notebook");
  create.addEventListener("click", async () => {
    const taken = new Set(notebooks.map((n) => n.name));
    let i = 1;
    while (taken.has(`Untitled${i}.ipynb`)) i++;
    const nb = await api<NotebookOut>("POST", "/api/notebooks", { name: `Untitled${i}.ipynb` });
    navigate(`/notebooks/${nb.id}`);
  });
  const items = notebooks.map((nb) => {
    const link = h("a", { href: `/notebooks/${nb.id}` }, nb.name);
    link.addEventListener("click", (e) => {
      e.preventDefault();
      navigate(`/notebooks/${nb.id}`);
    });
    const when = new Date(nb.updated_at).toLocaleString();
    return h("li", {}, link, h("span", { class: "muted" }, ` — ${when}`));
  });
  root.replaceChildren(
    h(
      "main",
      { class: "list" },
      h("header", {}, h("h1", {}, "cloudbook"), create),
      notebooks.length
        ? h("ul", { class: "notebooks" }, ...items)
        : h("p", { class: "muted" }, "No notebooks yet."),
    ),
  );
}
