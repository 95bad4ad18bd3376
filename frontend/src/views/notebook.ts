// The notebook page, composed of named parts:
//   cells     (notebook/cell-list.ts)       the ordered cells and their views
//   cursor    (notebook/cursor.ts)          current cell, selection, command/edit mode
//   ops       (notebook/cell-ops.ts)        insert / move / delete / convert / paste / undo
//   clipboard (notebook/clipboard-events.ts) cells on the system clipboard
//   commands  (notebook/commands.ts)        every command, for keys, menus and the palette
//   session   (notebook/kernel-session.ts)  runtime attach, kernel socket, badge
//   runner    (notebook/run-queue.ts)       the execution queue
//   banner, saver, header                   alerts, autosave, the top toolbar
// Each cell is a CellView (notebook/cell-view.ts); `cellHost` says what its buttons and
// keys do. New features belong in their own modules, hooked in here in a line or two.
import { type Extension, Prec } from "@codemirror/state";
import { keymap } from "@codemirror/view";

import { api, ApiError } from "../api";
import { githubCommands } from "../github/commands";
import type { ScratchSource } from "../github/scratch";
import { ScratchSaver } from "../github/scratch-saver";
import type { Me, NotebookWithContent, SessionOut } from "../api-types";
import { CommandRegistry } from "../commands/registry";
import { type Cell, loadNotebook, newCodeCell, type Notebook, saveNotebook } from "../model";
import { markConflict } from "./conflict";
import { confirmRestart } from "./notebook/restart-confirm";
import { h } from "./dom";
import { FindBar } from "./find-bar";
import { kernelAssist } from "./kernel-assist";
import { menu } from "./menu";
import { type AssistPage, assistCommands, mergeIntoPage } from "./notebook/assist";
import { Banner } from "./notebook/banner";
import { ImageNotice } from "./notebook/image-notice";
import { CellList } from "./notebook/cell-list";
import { CellOps } from "./notebook/cell-ops";
import { CellFrames } from "./notebook/frames";
import { type CellHost, CellView } from "./notebook/cell-view";
import { NotebookClipboard } from "./notebook/clipboard-events";
import { notebookCommands } from "./notebook/commands";
import { CellCursor } from "./notebook/cursor";
import { followDisplayUpdates } from "./notebook/display-updates";
import {
  DRIVE_ONLY,
  FILE_MENU,
  fileCommands,
  SCRATCH_FILE_MENU,
} from "./notebook/file-commands";
import { attachKeyboard } from "./notebook/keyboard";
import { KernelSession } from "./notebook/kernel-session";
import { RunQueue } from "./notebook/run-queue";
import { NotebookTitle } from "./notebook/title";
import { RUNTIME_TYPE_COMMANDS, runtimeTypeCommands } from "./notebook/runtime-commands";
import { openPalette } from "./palette";
import { Listeners, type NotebookContext } from "./page-context";
import { panelCommands, VIEW_COMMANDS } from "./panel-commands";
import { installPanels } from "./panels";
import { PrintView } from "./print-view";
import { RuntimeWidget } from "./runtime-widget";
import { Saver } from "./saver";
import { LiveSaver } from "../live/live-saver";
import "../publish/commands"; // File menu: Publish to the web, Download .html/.pdf
import { ServiceRuns } from "../live/service-runs";
import { cellFrame } from "./output-frame";
import type { PullTarget } from "../live/bridge";
import { SecretsPanel } from "./secrets-panel";
import { Sidebar } from "./sidebar";
import { openShortcuts } from "./shortcuts-dialog";
import { PageSharing } from "../sharing/page-sharing";
import { hookWidgets } from "../widgets/page";
import { WidgetRouter } from "../widgets/router";
import { loadWidgetState } from "../widgets/saved";

const LINE_NUMBERS_KEY = "cloudbook.line-numbers";

export class NotebookPage {
  nb!: Notebook;
  cells!: CellList;
  cursor!: CellCursor;
  ops!: CellOps;
  clipboard!: NotebookClipboard;
  saver!: Saver;
  /** Set when the service runs cells (live documents on). */
  private serviceRuns: ServiceRuns | undefined;
  title!: NotebookTitle;
  readonly commands = new CommandRegistry();
  readonly banner = new Banner();
  private imageNotice!: ImageNotice;
  readonly session: KernelSession;
  readonly runner: RunQueue;
  readonly frames: CellFrames;
  readonly widgets = new WidgetRouter();
  readonly header = h("header", { class: "toolbar" });
  /** The left side panels (table of contents, files, secrets, ...); features add theirs. */
  readonly sidebar = new Sidebar();
  readonly el = h("div", { class: "notebook" });
  private saveEl = h("span", { class: "save-state", "data-testid": "save-state" });
  private edits = new Listeners<[]>();
  private runsDone = new Listeners<[]>();
  private sessionChanged = new Listeners<[SessionOut | null]>();
  private runtimeWidget: RuntimeWidget;
  private disposePanels = () => {};
  private detachKeys: () => void = () => {};
  private viewListeners: ((view: CellView) => void)[] = [];
  private assist!: AssistPage;
  /** Share button, role, comments, read-only below "editor" (drive notebooks only). */
  sharing: PageSharing | null = null;
  readonly find = new FindBar({
    targets: () => this.cells.allViews().map((v) => ({ id: v.cell.id, editor: v.editor })),
    reveal: (id) => {
      const root = this.viewById(id)?.root;
      if (!root) return;
      this.cells.lazy.settleAround(root); // before the editor scrolls to the match
      root.classList.remove("md-rendered");
    },
    replaced: (id) => {
      const view = this.viewById(id);
      if (view?.root.classList.contains("md-rendered")) view.preview.render(view.cell.source);
    },
  });
  readonly printView = new PrintView(() => this.cells.allViews());
  private readonly onPageHide = () => void this.saver.flush(true);
  private readonly onBeforeUnload = (event: BeforeUnloadEvent) => {
    if (this.saver.pending()) event.preventDefault();
  };

  constructor(
    private root: HTMLElement,
    readonly id: string,
    readonly me?: Me,
    /** A copy opened from GitHub: runs and edits, never saved on its own. */
    readonly scratch?: ScratchSource,
  ) {
    this.session = new KernelSession((rest) => this.path(rest), this.banner);
    this.runner = new RunQueue(this.session, this.banner, {
      view: (cell) => this.cells.find(cell),
      // Without live documents the page runs cells over its kernel socket and saves
      // through this; with them the service runs them (`service` below,
      // docs/live-execution.md) and this path is not taken.
      finished: () => (this.saver.changed(0), this.runsDone.emit()),
      user: () => this.me,
      starting: (view) => this.frames.starting(view),
      service: () => {
        const runs = this.serviceRuns;
        if (!runs || !this.serviceRunsCells()) return undefined;
        return (cells) => runs.run(cells);
      },
    });
    this.frames = new CellFrames(
      this.session,
      this.runner,
      (r) => this.path(r),
      () => this.saver.changed(),
      this.id,
    );
    // What a frame's callbacks print (a widget click, invokeFunction) the service writes
    // into the document when it runs the cells (cloudbook/live/callbacks.py).
    this.frames.serviceWrites = () => this.serviceRunsCells();
    this.session.onSession = (s) => this.sessionChanged.emit(s);
    this.runtimeWidget = new RuntimeWidget(this.context(), this.session.el);
    this.session.onIndicator = (state) => this.runtimeWidget.showState(state);
    hookWidgets(this);
    followDisplayUpdates(this.session, {
      cells: () => this.nb?.cells ?? [],
      view: (cell) => this.cells.find(cell),
      changed: () => this.saver.changed(),
    });
  }

  /** What the live document's changes from other pages do to this page (live/bridge.ts). */
  private livePage(): PullTarget {
    return {
      nb: this.nb,
      setCells: (cells) => this.cells.setCells(cells),
      sourceChanged: (cell, edit) => {
        const view = this.cells.find(cell);
        if (!view) return;
        if (view.lazy.created) {
          view.editor.dispatch({
            changes: { from: edit.at, to: edit.at + edit.remove, insert: edit.insert },
          });
        } else view.lazy.refresh();
        view.paintForm();
      },
      repaint: (cell) => this.cells.find(cell)?.paint(),
    };
  }

  private path(rest = ""): string {
    if (this.scratch) return `/api/scratch/${this.scratch.id}${rest}`;
    return `/api/notebooks/${encodeURIComponent(this.id)}${rest}`;
  }

  /** The page's GET of a notebook (`open` takes it when it was started earlier). */
  static fetch(id: string): Promise<NotebookWithContent> {
    return api<NotebookWithContent>("GET", `/api/notebooks/${encodeURIComponent(id)}`);
  }

  /** The service runs this page's cells and writes their outputs into the live document.
   * A local runtime ("Connect to a local runtime") is reached by this browser only: the
   * page then runs its cells itself, and its outputs reach the document as edits. */
  serviceRunsCells(): boolean {
    return this.serviceRuns !== undefined && !this.session.direct;
  }

  async open(fetched?: Promise<NotebookWithContent>): Promise<void> {
    const data = this.scratch
      ? { ...this.scratch.opened, revision: 0 }
      : await (fetched ?? NotebookPage.fetch(this.id));
    this.nb = loadNotebook(data.content);
    loadWidgetState(this.widgets.store, this.nb.rest["metadata"]);
    const notebookJson = () => this.widgets.annotate(saveNotebook(this.nb), this.nb.cells);
    this.saver = this.scratch
      ? new ScratchSaver(notebookJson, this.saveEl)
      : "live" in data && data.live
        ? new LiveSaver(
            this.id,
            data.revision,
            () => this.livePage(),
            this.saveEl,
            (m) => this.banner.show(m, "save"),
            this.me,
            new Map(this.nb.cells.map((c) => [c.id, c.source])),
          )
        : new Saver(
      this.id,
      data.revision,
      () => this.widgets.annotate(saveNotebook(this.nb), this.nb.cells),
      this.saveEl,
      (m) => this.banner.show(m, "save"),
      {
        base: structuredClone(data.content),
        onConflict: (latest, base) =>
          mergeIntoPage(this.assist, latest, base, (m) => this.banner.show(m, "save")),
      },
    );
    this.saver.onChange = () => this.edits.emit();
    if (!this.scratch) this.sharing = this.makeSharing(data);
    if (this.saver instanceof LiveSaver) {
      // Only with widgets in the store (no serialising of the notebook per keystroke).
      this.saver.notebookMetadata = () =>
        this.widgets.store.ids().length
          ? {
              widgets: (this.widgets.annotate({}, this.nb.cells)["metadata"] as Record<string, unknown>)[
                "widgets"
              ],
            }
          : {};
      this.serviceRuns = new ServiceRuns(this.saver, {
        notebookId: this.id,
        view: (cellId) => this.cells.viewById(cellId),
        evalScript: (cellId, script) => {
          const view = this.cells.viewById(cellId);
          if (!view) return Promise.reject(new Error("The cell is not on this page."));
          return cellFrame(view.outputs).evalScript(script);
        },
        me: () => this.me,
        deleteRuntime: () => this.session.deleteRuntime(),
        runEnded: () => this.runsDone.emit(),
      });
      const runs = this.serviceRuns;
      this.frames.serviceRunning = () => {
        const id = runs.runningCell();
        return id === undefined ? undefined : this.cells.viewById(id);
      };
    }
    document.title = `${data.name.slice(data.name.lastIndexOf("/") + 1)} - cloudbook`;
    const tell = (m: string) => this.banner.show(m, "runtime");
    this.title = new NotebookTitle(
      this.id,
      data.name,
      (nb) => (document.title = `${nb.name.slice(nb.name.lastIndexOf("/") + 1)} - cloudbook`),
      tell,
      !this.scratch,
    );
    if (!this.nb.cells.length) this.nb.cells.push(newCodeCell());
    this.cells = new CellList(this.nb, (cell) => {
      const view = this.frames.adopt(new CellView(cell, this.cellHost));
      markConflict(cell, view.root, () => this.saver.changed());
      for (const fn of this.viewListeners) fn(view);
      return view;
    });
    this.cursor = new CellCursor(this.cells);
    this.cells.onChange = () => this.cursor.paint();
    this.ops = new CellOps(this.cells, this.cursor, () => this.saver.changed());
    this.clipboard = new NotebookClipboard(this.ops, this.cursor);
    this.commands.add(...notebookCommands(this), ...panelCommands(this.sidebar));
    this.commands.add(...runtimeTypeCommands(this, this.path()));
    this.commands.add(...githubCommands(this, () => data.name));
    const { nb, cells, find, printView } = this;
    this.assist = { nb, cells, find, printView, name: () => this.title.fullName };
    this.commands.add(...assistCommands(this.assist));
    const files = fileCommands({ id: this.id, title: this.title, flush: () => this.saver.flush(), tell });
    // A scratch copy from GitHub has no drive file: nothing to rename, move or copy yet.
    // Publishing is the owner's (editors see where it is published); below that, no entry.
    const role = "role" in data ? data.role : undefined;
    const publisher = role === undefined || role === "owner" || role === "editor";
    const shown = files.filter((f) => publisher || f.id !== "publish-notebook");
    this.commands.add(...(this.scratch ? shown.filter((f) => !DRIVE_ONLY.has(f.id)) : shown));
    const button = (label: string, testid: string, onClick: () => void) => {
      const b = h("button", { "data-testid": testid }, label);
      b.addEventListener("click", onClick);
      return b;
    };
    const c = this.commands;
    this.header.replaceChildren(
      h("a", { href: "/", class: "brand" }, "cloudbook"),
      this.title.el,
      menu("File", c, this.scratch ? SCRATCH_FILE_MENU : FILE_MENU),
      menu("Edit", c, ["find-replace", "undo-cells", "redo-cells", "copy-cells", "cut-cells",
        "paste-cells", "delete-cells", "select-all", "move-up", "move-down", "to-code", "to-text",
        "split-cell", "clear-output", "clear-all-outputs"]),
      menu("View", c, VIEW_COMMANDS),
      menu("Insert", c, ["insert-code-above", "insert-code-below", "insert-text-above",
        "insert-text-below"]),
      menu("Runtime", c, ["run-all", "run-before", "run-cell", "run-selected", "run-after",
        "interrupt", "restart", "restart-run-all", "delete-runtime", ...RUNTIME_TYPE_COMMANDS]),
      menu("Tools", c, ["palette", "shortcuts", "line-numbers"]),
      this.saveEl,
      h("span", { class: "spacer" }),
      button("Run all", "run-all", () => this.runAll()),
      button("Interrupt", "interrupt", () => void this.interrupt()),
      button("Restart", "restart", () => void this.restart()),
      ...(this.sharing?.headerItems() ?? []),
      this.runtimeWidget.el,
    );
    const end = () => this.cells.cells.length;
    this.imageNotice = new ImageNotice(this.me?.is_admin ?? false);
    this.imageNotice.start();
    this.el.classList.toggle("no-line-numbers", localStorage.getItem(LINE_NUMBERS_KEY) === "off");
    this.el.replaceChildren(
      this.header,
      h(
        "div",
        { class: "nb-body" },
        this.sidebar.el,
        h(
          "div",
          { class: "nb-main" },
          this.imageNotice.el,
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
    );
    if (!this.scratch && !this.sharing?.readOnly) this.sidebar.add(new SecretsPanel(this.id));
    this.sharing?.start();
    // The find bar sits outside the page's element: its keys (Enter, Shift+Enter) are its own.
    this.root.replaceChildren(this.el, this.find.el);
    this.disposePanels = installPanels(this.sidebar, this.context());
    window.addEventListener("pagehide", this.onPageHide);
    window.addEventListener("beforeunload", this.onBeforeUnload);
    this.detachKeys = attachKeyboard(this.el, this.commands, this.cursor);
    this.clipboard.attach();
    this.printView.attach();
    this.cursor.setCurrent(this.nb.cells[0]!);
    // With live documents the page is a view of the service's notebook: it picks up the
    // runtime the notebook already has instead of offering "Connect".
    if (this.saver instanceof LiveSaver) void this.session.resume();
    this.cells.viewOf(this.nb.cells[0]!).editor.focus();
  }

  /** Leaves the page inside the app: saves what is pending and closes the kernel socket
   * (the runtime stays attached to the notebook). */
  dispose(): void {
    window.removeEventListener("pagehide", this.onPageHide);
    window.removeEventListener("beforeunload", this.onBeforeUnload);
    this.detachKeys();
    this.clipboard?.dispose();
    this.printView.detach();
    void this.saver?.flush(true);
    this.disposePanels();
    this.runtimeWidget.dispose();
    this.sharing?.dispose();
    this.imageNotice?.stop();
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
        if (!cell) return;
        this.cursor.setCurrent(cell);
        this.cells.reveal(cell, "start");
      },
      session: () => this.session.current,
      onSession: (fn) => this.sessionChanged.add(fn),
      connect: () =>
        this.session.connect().catch((e: unknown) => {
          this.banner.show(e instanceof ApiError ? e.message : "Could not connect.", "runtime");
          throw e;
        }),
      disconnect: () => this.deleteRuntime(),
      flush: async () => (await this.saver.flush(), this.saver.savedRevision),
      reload: () => window.dispatchEvent(new PopStateEvent("popstate")),
    };
  }

  private frozen = false;

  private makeSharing(data: Pick<NotebookWithContent, "name" | "role" | "owner">): PageSharing {
    return new PageSharing(
      {
        id: this.id,
        sidebar: this.sidebar,
        el: this.el,
        cellIds: () => this.nb.cells.map((c) => c.id),
        revealCell: (id) => this.context().revealCell(id),
        tell: (m) => this.banner.show(m, "runtime"),
        freeze: () => {
          this.frozen = true;
          this.saver.changed = () => {};
          this.runner.cancelQueued();
          this.session.close();
        },
        onCellView: (fn) => this.onCellView(fn),
      },
      data,
    );
  }

  /** Calls `fn` with every cell view as it is made (also those made again by undo).
   * Register before open() to see the first ones. */
  onCellView(fn: (view: CellView) => void): void {
    this.viewListeners.push(fn);
  }

  /** What every cell's buttons and editor keys do. */
  private readonly cellHost: CellHost = {
    run: (cell) => this.run(cell),
    stop: (cell) => {
      if (this.cells.find(cell)?.running) void this.interrupt();
      else this.runner.cancel(cell);
    },
    changed: () => this.saver.changed(),
    editorExtensions: (cell) => this.editorExtensions(cell),
    toolbar: (cell) => ({
      moveUp: () => this.ops.moveCell(cell, -1),
      moveDown: () => this.ops.moveCell(cell, 1),
      remove: () => this.ops.deleteCell(cell),
      insert: (where, text) => void this.ops.insertNear(where, text, cell),
      copy: () => (this.cursor.setCurrent(cell), this.clipboard.copy()),
      cut: () => (this.cursor.setCurrent(cell), this.clipboard.cut()),
    }),
  };

  private editorExtensions(cell: Cell): Extension[] {
    // Esc leaves the editor for command mode (a text cell shows its rendering again).
    const toCommandMode = () => {
      if (cell.cell_type === "markdown") this.cells.find(cell)?.preview.render(cell.source);
      this.cursor.setCurrent(cell);
      this.cursor.commandMode();
      return true;
    };
    const kernel = () => this.session.kernel;
    return [
      // Lowest precedence: completion popups and the inspect tooltip close first.
      Prec.lowest(keymap.of([{ key: "Escape", run: toCommandMode }])),
      this.find.extension,
      ...(cell.cell_type === "code" ? [kernelAssist(kernel)] : []),
      ...(this.sharing?.editorExtensions() ?? []),
      // Other pages' cursors and selections (names and colours), with live documents.
      ...(this.saver instanceof LiveSaver ? [this.saver.cursors(cell.id)] : []),
    ];
  }

  run(cell: Cell): void {
    if (this.sharing?.readOnly || this.frozen) return this.sharing?.refuseRun();
    this.runner.run(cell);
  }

  runCells(cells: readonly Cell[]): void {
    for (const c of cells) this.run(c);
  }

  runAll(): void {
    this.runCells(this.nb.cells);
  }

  /** The cells above the current one (Ctrl+F8). */
  runBefore(): void {
    const c = this.cursor.current();
    if (c) this.runCells(this.nb.cells.slice(0, this.cells.indexOf(c)));
  }

  /** The current cell and everything below it (Ctrl+F10). */
  runAfter(): void {
    const c = this.cursor.current();
    if (c) this.runCells(this.nb.cells.slice(this.cells.indexOf(c)));
  }

  runSelected(): void {
    this.runCells(this.cursor.selectedCells());
  }

  /** Shift+Enter: runs, then the next cell becomes current (a new one after the last). */
  runAndAdvance(cell: Cell): void {
    this.run(cell);
    const index = this.cells.indexOf(cell);
    const next = this.nb.cells[index + 1];
    if (!next) return void this.ops.insertCell(index + 1);
    const editing = !this.cursor.inCommandMode();
    this.cursor.setCurrent(next);
    if (editing) this.cursor.editMode();
    else this.cursor.commandMode();
  }

  /** Alt+Enter: runs, then a new code cell below. */
  runAndInsert(cell: Cell): void {
    this.run(cell);
    this.ops.insertCell(this.cells.indexOf(cell) + 1);
  }

  async interrupt(): Promise<void> {
    await this.session.action("interrupt");
  }

  /** Restarts after asking, as Colab does (menu, palette, Ctrl+M ., the toolbar button);
   * false when there is no runtime, the user cancelled, or the restart failed. */
  async restart(): Promise<boolean> {
    if (!this.session.attached || !(await confirmRestart())) return false;
    this.runner.cancelQueued();
    return this.session.action("restart");
  }

  /** Colab's "Disconnect and delete runtime": queued runs are dropped with it. */
  async deleteRuntime(): Promise<void> {
    this.runner.cancelQueued();
    await this.session.deleteRuntime();
  }

  /** Without a runtime there is nothing to lose: runs all at once. */
  async restartAndRunAll(): Promise<void> {
    if (!this.session.attached || (await this.restart())) this.runAll();
  }

  toggleLineNumbers(): void {
    const off = this.el.classList.toggle("no-line-numbers");
    localStorage.setItem(LINE_NUMBERS_KEY, off ? "off" : "on");
  }

  openPalette(): void {
    openPalette(this.commands);
  }

  private viewById(id: string) {
    const cell = this.cells.byId(id);
    return cell && this.cells.find(cell);
  }

  openShortcuts(): void {
    openShortcuts(this.commands);
  }
}
