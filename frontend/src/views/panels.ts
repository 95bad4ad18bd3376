// The notebook page's own side panels: table of contents, files, revision history.
// (Find and Secrets come from other modules through the same Sidebar.)
import { filesPanel } from "./files-panel";
import type { NotebookContext } from "./page-context";
import { RevisionsPanel } from "./revisions-panel";
import type { Sidebar } from "./sidebar";
import { tocPanel } from "./toc";

/** Adds the panels; returns what undoes their listeners when the page goes. */
export function installPanels(sidebar: Sidebar, ctx: NotebookContext): () => void {
  const toc = tocPanel(ctx);
  const files = filesPanel(ctx, () => sidebar.show("files"));
  const revisions = new RevisionsPanel(ctx);
  sidebar.add(toc);
  sidebar.add(files.panel);
  sidebar.add(revisions.panel);
  return () => {
    toc.dispose();
    files.dispose();
    revisions.dispose();
  };
}
