import "./style.css";

import { api, ApiError } from "./api";
import type { Me } from "./api-types";
import { renderList } from "./views/list";
import { renderLogin } from "./views/login";
import { NotebookPage } from "./views/notebook";

const root = document.getElementById("app")!;

function navigate(path: string): void {
  history.pushState(null, "", path);
  void route();
}

async function route(): Promise<void> {
  try {
    await api<Me>("GET", "/api/me");
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      renderLogin(root, () => void route());
      return;
    }
    throw e;
  }
  const match = location.pathname.match(/^\/notebooks\/([^/]+)$/);
  if (match) await new NotebookPage(root, decodeURIComponent(match[1]!)).open();
  else await renderList(root, navigate);
}

window.addEventListener("popstate", () => void route());
route().catch((e: unknown) => {
  root.textContent = e instanceof Error ? e.message : "Something went wrong.";
});
