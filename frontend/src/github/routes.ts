// The app's GitHub routes: a notebook from GitHub (a scratch copy), the browse pages and
// the link page. Returns the notebook page it opened, true for other pages, or false.
import { api } from "../api";
import type { Me, OpenedOut } from "../api-types";
import { NotebookPage } from "../views/notebook";
import { renderLinkPage, renderOwner, renderRepo } from "./browse";
import { githubPage } from "./links";
import { decorateScratch, scratchIdFor } from "./scratch";

export async function routeGithub(
  root: HTMLElement,
  me: Me,
  navigate: (path: string) => void,
): Promise<NotebookPage | boolean> {
  const page = githubPage(location.pathname);
  if (!page) return false;
  if (page.kind === "owner") return renderOwner(root, page.owner, navigate).then(() => true);
  if (page.kind === "repo") {
    return renderRepo(root, page.owner, page.repo, page.ref, navigate).then(() => true);
  }
  if (page.kind === "link") return (renderLinkPage(root, navigate), true);
  const url = location.pathname + location.hash;
  const opened = await api<OpenedOut>("GET", `/api/github/open?url=${encodeURIComponent(url)}`);
  const source = { id: scratchIdFor(location.pathname), opened };
  const nb = new NotebookPage(root, `scratch-${source.id}`, me, source);
  await nb.open();
  decorateScratch(nb, source);
  return nb;
}
