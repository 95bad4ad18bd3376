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

import { api } from "../api";
import type { NotebookWithContent } from "../api-types";
import { type Cell, loadNotebook, newCodeCell, type Notebook, saveNotebook } from "../model";
import { h } from "./dom";
import { Banner } from "./notebook/banner";
import { CellList } from "./notebook/cell-list";
import { CellOps } from "./notebook/cell-ops";
import { type CellHost, CellView } from "./notebook/cell-view";
import { KernelSession } from "./notebook/kernel-session";
import { RunQueue } from "./notebook/run-queue";
import { Saver } from "./saver";

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
      finished: () => this.saver.changed(0),
    });
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
      this.session.el,
    );
    const end = () => this.cells.cells.length;
    this.root.replaceChildren(
      h(
        "div",
        { class: "notebook" },
        this.header,
        this.banner.el,
        this.cells.el,
        h(
          "div",
          { class: "add-bar" },
          button("+ Code", "add-code", () => void this.ops.insertCell(end())),
          button("+ Text", "add-text", () => void this.ops.insertCell(end(), true)),
        ),
      ),
    );
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
    this.session.close();
    this.cells?.destroy();
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
