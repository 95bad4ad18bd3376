// /github/{owner}: the owner's repositories; /github/{owner}/{repo}[/tree/{branch}]: the
// notebooks of a branch, by folder; /github: turns a pasted link into a cloudbook link.
import "./github.css";

import { api } from "../api";
import type { RepoBrowse, RepoList } from "../api-types";
import { h } from "../views/dom";
import { badgeMarkdown, exampleLink, hostName, loadGitHost, notebookPath } from "./links";
import { githubOpenTab } from "./open-tab";

type Navigate = (path: string) => void;

function shell(title: string, ...body: (Node | string)[]): HTMLElement {
  return h(
    "main",
    { class: "list github-browse" },
    h("header", {}, h("a", { href: "/", class: "brand" }, "cloudbook"), h("span", { class: "spacer" })),
    h("h1", {}, title),
    ...body,
  );
}

function link(href: string, text: string, navigate: Navigate, testid?: string): HTMLAnchorElement {
  const a = h("a", { href, ...(testid ? { "data-testid": testid } : {}) }, text);
  a.addEventListener("click", (e) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    navigate(href);
  });
  return a;
}

const enc = encodeURIComponent;

export async function renderOwner(root: HTMLElement, owner: string, navigate: Navigate): Promise<void> {
  const { repos } = await api<RepoList>("GET", `/api/github/repos/${enc(owner)}`);
  root.replaceChildren(
    shell(
      `${hostName()}: ${owner.replaceAll("~", "/")}`,
      repos.length
        ? h("ul", { class: "notebooks", "data-testid": "github-repos" },
            ...repos.map((r) => h("li", {},
              link(`/github/${enc(owner)}/${enc(r.name)}`, r.name, navigate, "github-repo-link"),
              r.private ? h("span", { class: "muted" }, "private") : "")))
        : h("p", { class: "muted" }, "No repositories to show (private ones need a stored token)."),
    ),
  );
}

export async function renderRepo(
  root: HTMLElement, owner: string, repo: string, ref: string | null, navigate: Navigate,
): Promise<void> {
  const query = ref ? `?ref=${enc(ref)}` : "";
  const data = await api<RepoBrowse>("GET", `/api/github/repos/${enc(owner)}/${enc(repo)}${query}`);
  const branch = h("select", { "aria-label": "Branch", "data-testid": "github-browse-branch" },
    ...data.branches.map((b) => h("option", { value: b }, b)));
  branch.value = data.branch;
  branch.addEventListener("change", () => navigate(`/github/${enc(owner)}/${enc(repo)}/tree/${branch.value}`));
  const folders = new Map<string, string[]>();
  for (const path of data.notebooks) {
    const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
    folders.set(dir, [...(folders.get(dir) ?? []), path]);
  }
  const sections = [...folders.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([dir, paths]) =>
    h("section", { class: "github-folder" },
      h("h3", {}, dir ? `${dir}/` : "/"),
      h("ul", { class: "notebooks" }, ...paths.map((p) => h("li", {},
        link(`/github/${enc(owner)}/${enc(repo)}/blob/${data.branch}/${p.split("/").map(enc).join("/")}`,
          p.slice(p.lastIndexOf("/") + 1), navigate, "github-notebook-link"))))));
  root.replaceChildren(
    shell(
      `${owner}/${repo}`,
      h("p", {}, link(`/github/${enc(owner)}`, `All repositories of ${owner}`, navigate)),
      h("label", { class: "field" }, h("span", {}, "Branch "), branch),
      ...(sections.length
        ? sections
        : [h("p", { class: "muted" }, data.branches.length
            ? "No notebooks on this branch." : "This repository is empty.")]),
    ),
  );
}

export function renderLinkPage(root: HTMLElement, navigate: Navigate): void {
  void loadGitHost();
  const input = h("input", {
    placeholder: exampleLink(),
    "aria-label": `${hostName()} or Colab link`,
    "data-testid": "link-input",
  });
  const out = h("div", { class: "link-result", "data-testid": "link-result" });
  const update = () => {
    const path = notebookPath(input.value);
    if (!input.value.trim()) return void out.replaceChildren();
    if (!path) {
      out.replaceChildren(h("p", { class: "error" }, `Not a link to a notebook on ${hostName()} or Colab.`));
      return;
    }
    const url = location.origin + path;
    out.replaceChildren(
      h("p", {}, "Link: ", link(path, url, navigate, "link-output")),
      h("p", {}, "Badge (Markdown):"),
      h("pre", { "data-testid": "link-badge" }, badgeMarkdown(location.origin, path)),
      h("img", { src: "/assets/badge.svg", alt: "Open In cloudbook" }),
    );
  };
  input.addEventListener("input", update);
  root.replaceChildren(
    shell(
      `Open a notebook from ${hostName()}`,
      h("p", {}, `Paste a ${hostName()} or Colab link to a notebook.`, " cloudbook opens the same paths as ",
        "Colab: replace ", h("code", {}, "colab.research.google.com"), " with this service's address, ",
        "or open ", h("code", {}, "/github/{owner}/{repo}/blob/{branch}/{path}.ipynb"), "."),
      input,
      out,
      h("h2", {}, `Find notebooks on ${hostName()}`),
      githubOpenTab(navigate),
    ),
  );
  input.focus();
}
