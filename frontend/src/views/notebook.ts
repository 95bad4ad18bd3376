// The notebook page, composed of named parts:
//   cells   (notebook/cell-list.ts)      the ordered cells and their views
//   ops     (notebook/cell-ops.ts)       insert / move / delete
//   session (notebook/kernel-session.ts) runtime attach, kernel socket, badge
//   runner  (notebook/run-queue.ts)      the execution queue
//   banner, saver, header                alerts, autosave, the top toolbar
// Each cell is a CellView (notebook/cell-view.ts); `cellHost` says what its buttons and
// keys do. New features belong in their own modules, hooked in here in a line or two.
import { Prec, type Extension } from "@codemirror/state";
import { keymap } from "@codemirror/view";

import { api, ApiError } from "../api";
import type { NotebookWithContent, SessionOut } from "../api-types";
import { type Cell, loadNotebook, newCodeCell, type Notebook, saveNotebook } from "../model";
import { h } from "./dom";
import { Banner } from "./notebook/banner";
import { CellList } from "./notebook/cell-list";
import { CellOps } from "./notebook/cell-ops";
import { type CellHost, CellView } from "./notebook/cell-view";
import { KernelSession } from "./notebook/kernel-session";
import { RunQueue } from "./notebook/run-queue";
import { Listeners, type NotebookContext } from "./page-context";
import { installPanels } from "./panels";
import { RuntimeWidget } from "./runtime-widget";
import { Saver } from "./saver";
import { Sidebar } from "./sidebar";

export class NotebookPage {
  nb!: Notebook;
  cells!: CellList;
  ops!: CellOps;
  saver!: Saver;
  readonly banner = new Banner();
  readonly session: KernelSession;
  readonly runner: RunQueue;
  readonly header = h("header", { class: "toolbar" });
  private saveEl = h("span", { class: "save-state", "data-testid": "save-state" });
  /** The left side panels (table of contents, files, ...); features add theirs here. */
  readonly sidebar = new Sidebar();
  private edits = new Listeners<[]>();
  private runsDone = new Listeners<[]>();
  private sessionChanged = new Listeners<[SessionOut | null]>();
  private runtimeWidget: RuntimeWidget;
  private disposePanels = () => {};
  private readonly onPageHide = () => void this.saver.flush(true);
  private readonly onBeforeUnload = (event: BeforeUnloadEvent) => {
    if (this.saver.pending()) event.preventDefault();
  };

  constructor(
    private root: HTMLElement,
    readonly id: string,
  ) {
    this.session = new KernelSession((rest) => this.path(rest), this.banner);
    this.runner = new RunQueue(this.session, this.banner, {
      view: (cell) => this.cells.find(cell),
      finished: () => (this.saver.changed(0), this.runsDone.emit()),
    });
    this.session.onSession = (s) => this.sessionChanged.emit(s);
    this.runtimeWidget = new RuntimeWidget(this.context(), this.session.el);
    this.session.onIndicator = (state) => this.runtimeWidget.showState(state);
  }

  private path(rest = ""): string {
    return `/api/notebooks/${encodeURIComponent(this.id)}${rest}`;
  }

  async open(): Promise<void> {
    const data = await api<NotebookWithContent>("GET", this.path());
    this.nb = loadNotebook(data.content);
    this.saver = new Saver(this.id, data.revision, () => saveNotebook(this.nb), this.saveEl, (m) =>
      this.banner.show(m, "save"),
    );
    this.saver.onChange = () => this.edits.emit();
    document.title = `${data.name} - cloudbook`;
    if (!this.nb.cells.length) this.nb.cells.push(newCodeCell());
    this.cells = new CellList(this.nb, (cell) => new CellView(cell, this.cellHost));
    this.ops = new CellOps(this.cells, () => this.saver.changed());
    const button = (label: string, testid: string, onClick: () => void) => {
      const b = h("button", { "data-testid": testid }, label);
      b.addEventListener("click", onClick);
      return b;
    };
    this.header.replaceChildren(
      h("a", { href: "/", class: "brand" }, "cloudbook"),
      h("span", { class: "nb-name", "data-testid": "notebook-name" }, data.name),
      this.saveEl,
      h("span", { class: "spacer" }),
      button("Run all", "run-all", () => this.runAll()),
      button("Interrupt", "interrupt", () => void this.interrupt()),
      button("Restart", "restart", () => void this.restart()),
      this.runtimeWidget.el,
    );
    const end = () => this.cells.cells.length;
    this.root.replaceChildren(
      h(
        "div",
        { class: "notebook" },
        this.header,
        h(
          "div",
          { class: "nb-body" },
          this.sidebar.el,
          h(
            "div",
            { class: "nb-main" },
            this.banner.el,
            this.cells.el,
            h(
              "div",
              { class: "add-bar" },
              button("+ Code", "add-code", () => void this.ops.insertCell(end())),
              button("+ Text", "add-text", () => void this.ops.insertCell(end(), true)),
            ),
          ),
        ),
      ),
    );
    this.disposePanels = installPanels(this.sidebar, this.context());
    window.addEventListener("pagehide", this.onPageHide);
    window.addEventListener("beforeunload", this.onBeforeUnload);
    this.cells.viewOf(this.nb.cells[0]!).editor.focus();
  }

  /** Leaves the page inside the app: saves what is pending and closes the kernel socket
   * (the runtime stays attached to the notebook). */
  dispose(): void {
    window.removeEventListener("pagehide", this.onPageHide);
    window.removeEventListener("beforeunload", this.onBeforeUnload);
    void this.saver?.flush(true);
    this.disposePanels();
    this.runtimeWidget.dispose();
    this.session.close();
    this.cells?.destroy();
  }

  /** The hooks the side panels and the runtime widget use. */
  private context(): NotebookContext {
    return {
      notebookId: this.id,
      cells: () => this.nb.cells,
      onEdit: (fn) => this.edits.add(fn),
      onRunDone: (fn) => this.runsDone.add(fn),
      revealCell: (id) => {
        const cell = this.cells.byId(id);
        if (cell) this.cells.find(cell)?.root.scrollIntoView({ block: "start" });
      },
      session: () => this.session.current,
      onSession: (fn) => this.sessionChanged.add(fn),
      connect: () =>
        this.session.connect().catch((e: unknown) => {
          this.banner.show(e instanceof ApiError ? e.message : "Could not connect.", "runtime");
          throw e;
        }),
      flush: async () => (await this.saver.flush(), this.saver.savedRevision),
      reload: () => window.dispatchEvent(new PopStateEvent("popstate")),
    };
  }

  /** What every cell's buttons and editor keys do. */
  private readonly cellHost: CellHost = {
    run: (cell) => this.run(cell),
    changed: () => this.saver.changed(),
    editorExtensions: (cell) => this.editorExtensions(cell),
    toolbar: (cell) => ({
      moveUp: () => this.ops.moveCell(cell, -1),
      moveDown: () => this.ops.moveCell(cell, 1),
      remove: () => this.ops.deleteCell(cell),
    }),
  };

  private editorExtensions(cell: Cell): Extension[] {
    return [
      Prec.highest(
        keymap.of([
          { key: "Shift-Enter", run: () => (this.runAndAdvance(cell), true) },
          { key: "Mod-Enter", run: () => (this.run(cell), true) },
        ]),
      ),
    ];
  }

  run(cell: Cell): void {
    this.runner.run(cell);
  }

  runAll(): void {
    this.nb.cells.forEach((c) => this.run(c));
  }

  runAndAdvance(cell: Cell): void {
    this.run(cell);
    const index = this.cells.indexOf(cell);
    const next = this.nb.cells[index + 1];
    if (next) this.cells.viewOf(next).editor.focus();
    else this.ops.insertCell(index + 1);
  }

  async interrupt(): Promise<void> {
    await this.session.action("interrupt");
  }

  async restart(): Promise<void> {
    if (!this.session.attached) return;
    this.runner.cancelQueued();
    await this.session.action("restart");
  }
}
