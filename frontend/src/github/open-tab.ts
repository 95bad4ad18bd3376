// The GitHub tab of File → Open notebook (as Colab's): a notebook link opens at once;
// a user or organisation lists its repositories; owner/repo lists a branch's notebooks.
// Self-contained: the Open dialog mounts `githubOpenTab(...)` as its GitHub tab.
import "./github.css";

import { api } from "../api";
import type { RepoBrowse, RepoList } from "../api-types";
import { h } from "../views/dom";
import { gitHost, hostName, loadGitHost, notebookPath } from "./links";
import { tokenField } from "./token-field";

const enc = encodeURIComponent;

export function githubOpenTab(open: (path: string) => void): HTMLElement {
  void loadGitHost();
  const input = h("input", {
    placeholder: `${hostName()} URL, user or organisation, or owner/repository`,
    "aria-label": `${hostName()} URL, user or organisation`,
    "data-testid": "open-github-input",
  });
  const go = h("button", { type: "button", class: "primary" }, "Search");
  const branch = h("select", { "aria-label": "Branch", hidden: true });
  const results = h("ul", { class: "notebooks", "data-testid": "open-github-results" });
  const status = h("p", { class: "muted", role: "status" });
  let current: { owner: string; repo: string } | null = null;

  const item = (label: string, onClick: () => void) => {
    const b = h("button", { type: "button", class: "link-button" }, label);
    b.addEventListener("click", onClick);
    return h("li", {}, b);
  };
  const showRepo = async (owner: string, repo: string, ref?: string) => {
    current = { owner, repo };
    status.textContent = "Loading…";
    const q = ref ? `?ref=${enc(ref)}` : "";
    const data = await api<RepoBrowse>("GET", `/api/github/repos/${enc(owner)}/${enc(repo)}${q}`);
    branch.replaceChildren(...data.branches.map((b) => h("option", { value: b }, b)));
    branch.value = data.branch;
    branch.hidden = !data.branches.length;
    results.replaceChildren(
      ...data.notebooks.map((p) =>
        item(p, () => open(`/github/${enc(owner)}/${enc(repo)}/blob/${data.branch}/${p.split("/").map(enc).join("/")}`)),
      ),
    );
    status.textContent = data.notebooks.length ? "" : "No notebooks on this branch.";
  };
  const showOwner = async (owner: string) => {
    current = null;
    branch.hidden = true;
    status.textContent = "Loading…";
    const { repos } = await api<RepoList>("GET", `/api/github/repos/${enc(owner)}`);
    const shown = owner.replaceAll("~", "/");
    results.replaceChildren(...repos.map((r) => item(`${shown}/${r.name}`, () => void showRepo(owner, r.name).catch(fail))));
    status.textContent = repos.length ? "" : "No repositories found.";
  };
  const fail = (e: unknown) => {
    results.replaceChildren();
    status.textContent = e instanceof Error ? e.message : "Could not load.";
  };
  const search = () => {
    const text = input.value.trim();
    const path = notebookPath(text);
    if (path) return open(path);
    // owner or owner/repo out of a link to the git host (any scheme: the service checks).
    const site = `://${gitHost.host}${gitHost.prefix}/`;
    const at = text.toLowerCase().indexOf(site);
    const bare = (/^https?:\/\//.test(text) && at > 0 ? text.slice(at + site.length) : text)
      .replace(/^https?:\/\/(www\.)?github\.com\//, "")
      .replace(/\/$/, "");
    const parts = bare.split("/").filter(Boolean);
    if (!parts.length) return;
    if (gitHost.kind === "gitlab" && parts.length > 2) {
      // group/sub/…: a project in a subgroup, else the subgroup's own projects.
      const owner = parts.slice(0, -1).join("~");
      void showRepo(owner, parts.at(-1)!).catch(() => showOwner(parts.join("~")).catch(fail));
      return;
    }
    const [owner, repo] = parts as [string, string | undefined];
    void (repo ? showRepo(owner, repo) : showOwner(owner)).catch(fail);
  };
  go.addEventListener("click", search);
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") search();
  });
  branch.addEventListener("change", () => {
    if (current) void showRepo(current.owner, current.repo, branch.value).catch(fail);
  });
  return h(
    "div",
    { class: "github-open-tab" },
    h("div", { class: "row" }, input, go),
    branch,
    status,
    results,
    h("details", {}, h("summary", {}, "Private repositories"), tokenField()),
  );
}

/** The tab in the Open dialog's shape: `registerOpenTab(GITHUB_OPEN_TAB)`. */
export const GITHUB_OPEN_TAB = {
  id: "github",
  get label(): string {
    return hostName();
  },
  render(panel: HTMLElement, ctx: { open(path: string): void }): void {
    panel.replaceChildren(githubOpenTab((path) => ctx.open(path)));
  },
};
