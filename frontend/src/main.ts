// Entry point: a tiny router over three views (login, notebook list, notebook page).
import "./style.css";

import { api, ApiError } from "./api";
import { routeGithub } from "./github/routes";
import type { Me } from "./api-types";
import { AdminPage } from "./views/admin/admin";
import { h } from "./views/dom";
import { renderList } from "./views/list";
import { renderLogin } from "./views/login";
import { NotebookPage } from "./views/notebook";
import { loadGitHost } from "./github/links";

const root = document.getElementById("app")!;
let current: NotebookPage | null = null;

function navigate(path: string): void {
  history.pushState(null, "", path);
  void show();
}

function renderError(message: string): void {
  root.replaceChildren(
    h(
      "main",
      { class: "list" },
      h("h1", {}, "cloudbook"),
      h("p", { class: "error", role: "alert", "data-testid": "page-error" }, message),
      h("a", { href: "/" }, "Back to your notebooks"),
    ),
  );
}

async function route(): Promise<void> {
  current?.dispose();
  current = null;
  const match = location.pathname.match(/^\/notebooks\/([^/]+)\/?$/);
  // A notebook's content is the page's biggest request (5 MB for 500 cells): it starts
  // now, beside /api/me and the git host, instead of after both.
  const content = match ? NotebookPage.fetch(decodeURIComponent(match[1]!)) : undefined;
  content?.catch(() => {}); // not logged in: the login form is shown, the GET unused
  const host = loadGitHost(); // beside /api/me too: the labels name the configured git host
  let me: Me;
  try {
    me = await api<Me>("GET", "/api/me");
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      renderLogin(root, () => void show());
      return;
    }
    throw e;
  }
  await host;
  const github = await routeGithub(root, me, navigate);
  if (github instanceof NotebookPage) current = github;
  if (github) return;
  if (location.pathname === "/admin") {
    if (!me.is_admin) renderError("Only administrators can open the admin page.");
    else await new AdminPage(root, me, navigate).render();
  } else if (match) {
    const page = new NotebookPage(root, decodeURIComponent(match[1]!), me);
    current = page;
    await page.open(content);
  } else {
    await renderList(root, me, navigate, () => void show());
  }
}

async function show(): Promise<void> {
  try {
    await route();
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      renderError("This notebook does not exist, or you cannot open it.");
    } else {
      renderError(e instanceof Error ? e.message : "Something went wrong.");
    }
  }
}

window.addEventListener("popstate", () => void show());
void show();
