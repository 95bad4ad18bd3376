// What sharing adds to the notebook page: the Share button (top right), the caller's
// role, a read-only page below "editor" with "Open in playground", the Comments panel
// and cell badges, and the watch socket that says when access was removed.
import { EditorState, type Extension } from "@codemirror/state";
import { EditorView } from "@codemirror/view";

import { api, ApiError } from "../api";
import type { NotebookOut, NotebookWithContent } from "../api-types";
import { h } from "../views/dom";
import type { CellView } from "../views/notebook/cell-view";
import type { Sidebar } from "../views/sidebar";
import { CommentsPanel } from "./comments";
import { openShareDialog } from "./share-dialog";

/** The close code the service uses on sockets of someone who lost access. */
export const CLOSE_ACCESS_REMOVED = 4403;

export interface SharingPage {
  readonly id: string;
  readonly sidebar: Sidebar;
  readonly el: HTMLElement;
  cellIds(): string[];
  revealCell(id: string): void;
  tell(message: string): void;
  /** Stop saving and running (access gone or never there). */
  freeze(): void;
  onCellView(fn: (view: CellView) => void): void;
}

const ROLE_LABEL: Record<string, string> = {
  owner: "Owner",
  editor: "Editor",
  commenter: "Commenter",
  viewer: "Viewer",
};

export class PageSharing {
  readonly role: string;
  readonly readOnly: boolean;
  readonly comments: CommentsPanel;
  private socket: WebSocket | null = null;
  private disposed = false;

  constructor(
    private page: SharingPage,
    private data: Pick<NotebookWithContent, "name" | "role" | "owner">,
  ) {
    this.role = data.role ?? "owner";
    this.readOnly = this.role === "viewer" || this.role === "commenter";
    this.comments = new CommentsPanel({
      notebookId: page.id,
      canComment: this.role !== "viewer",
      cellIds: () => page.cellIds(),
      revealCell: (id) => page.revealCell(id),
      openPanel: () => page.sidebar.show("comments"),
    });
    page.onCellView((view) => {
      const selection = () => {
        const ev = view.editor;
        const range = ev.state.selection.main;
        return range.empty ? null : ev.state.sliceDoc(range.from, range.to).slice(0, 2000);
      };
      view.gutter.append(this.comments.badge(view.cell.id, selection));
    });
  }

  /** CodeMirror settings of every cell: read-only below "editor". */
  editorExtensions(): Extension[] {
    return this.readOnly ? [EditorState.readOnly.of(true), EditorView.editable.of(false)] : [];
  }

  /** Header items, placed before the runtime widget. */
  headerItems(): HTMLElement[] {
    const items: HTMLElement[] = [];
    if (this.role !== "owner") {
      items.push(
        h("span", { class: "role-badge", "data-testid": "role-badge", title: `Owned by ${this.data.owner ?? ""}` },
          ROLE_LABEL[this.role] ?? this.role),
      );
    }
    if (this.readOnly) {
      const play = h("button", { type: "button", "data-testid": "open-playground" }, "Open in playground");
      play.addEventListener("click", () => void this.openPlayground());
      items.push(play);
    }
    const share = h("button", { type: "button", class: "primary share-button", "data-testid": "share-button" }, "Share");
    share.addEventListener("click", () =>
      openShareDialog({ kind: "notebook", id: this.page.id, name: this.data.name }, () =>
        window.dispatchEvent(new PopStateEvent("popstate")),
      ),
    );
    items.push(share);
    return items;
  }

  /** After the page is built: panel, read-only look, the watch socket. */
  start(): void {
    this.page.sidebar.add(this.comments);
    void this.comments.refresh();
    if (this.readOnly) {
      this.page.el.classList.add("nb-readonly");
      this.page.freeze();
      this.page.tell(
        this.role === "viewer"
          ? "You can view this notebook. To run it, open it in playground mode: your own copy."
          : "You can view and comment on this notebook. To run it, open it in playground mode.",
      );
    }
    this.watch();
  }

  refuseRun(): void {
    this.page.tell("Viewers and commenters run a playground copy: use “Open in playground”.");
  }

  async openPlayground(): Promise<void> {
    try {
      const copy = await api<NotebookOut>("POST", `/api/notebooks/${encodeURIComponent(this.page.id)}/playground`);
      history.pushState(null, "", `/notebooks/${encodeURIComponent(copy.id)}`);
      window.dispatchEvent(new PopStateEvent("popstate"));
    } catch (e) {
      this.page.tell(e instanceof ApiError ? e.message : "Could not open a playground copy.");
    }
  }

  private watch(): void {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const url = `${scheme}://${location.host}/api/notebooks/${encodeURIComponent(this.page.id)}/watch`;
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.addEventListener("close", (e) => {
      if (this.disposed) return;
      if (e.code === CLOSE_ACCESS_REMOVED) this.lost();
    });
  }

  /** Access removed while the page is open: say so, stop editing and running. */
  private lost(): void {
    this.page.el.classList.add("nb-readonly");
    this.page.freeze();
    for (const content of this.page.el.querySelectorAll<HTMLElement>(".cm-content")) {
      content.contentEditable = "false";
    }
    this.page.el.prepend(
      h("div", { class: "access-removed", role: "alert", "data-testid": "access-removed" },
        "Your access to this notebook was removed. Nothing more is saved from this page."),
    );
  }

  dispose(): void {
    this.disposed = true;
    this.socket?.close();
  }
}
