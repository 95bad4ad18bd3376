// The ordered cells of the notebook and their views: the one place that keeps
// `nb.cells` and the DOM order in step.
import type { Cell, Notebook } from "../../model";
import { h } from "../dom";
import type { CellView } from "./cell-view";
import { LazyCells, lazyLayoutOn, settle } from "./lazy-cells";

/** Cells drawn at open skip layout and paint while off screen (`.lazy-layout`,
 * lazy-cells.ts): a 500-cell notebook opens without laying out every cell. A cell leaves
 * that state for good once it is touched (moved, current, focused, pointed at): Chromium
 * takes a cell that enters it as off screen until the next frame, and its text and menus
 * must be there at once. New cells never have it. */
export { settle };

export class CellList {
  readonly el = h("div", { class: "cells" });
  private views = new Map<Cell, CellView>();
  private byIdCache = new Map<string, CellView>();
  readonly lazy = new LazyCells(this.el);
  /** Called after every change of order or membership (the cursor repaints). */
  onChange: () => void = () => {};

  constructor(
    private nb: Notebook,
    private makeView: (cell: Cell) => CellView,
  ) {
    const lazy = lazyLayoutOn();
    for (const cell of nb.cells) {
      const root = this.viewOf(cell).root;
      if (lazy) this.lazy.mark(root, cell);
      this.el.append(root);
    }
    this.lazy.start();
    const cellOf = (e: Event) => (e.target as Element | null)?.closest?.(".cell");
    // Focus may scroll (an editor's cursor): what is around the cell settles first.
    this.el.addEventListener("focusin", (e) => {
      const cell = cellOf(e);
      if (cell) this.lazy.settleAround(cell);
    });
    this.el.addEventListener("pointerover", (e) => {
      const cell = cellOf(e);
      if (cell) settle(cell);
    });
  }

  get cells(): readonly Cell[] {
    return this.nb.cells;
  }

  /** The view of a cell, created on first use. */
  viewOf(cell: Cell): CellView {
    let view = this.views.get(cell);
    if (!view) {
      view = this.makeView(cell);
      this.views.set(cell, view);
    }
    return view;
  }

  /** The view of the cell with this id. A map, not a search: the live document asks for
   * every cell's view after each change (service-runs.ts), 500 searches of 500 views. */
  viewById(id: string): CellView | undefined {
    const hit = this.byIdCache.get(id);
    if (hit && hit.cell.id === id && this.views.get(hit.cell) === hit) return hit;
    this.byIdCache.clear();
    for (const cell of this.nb.cells) {
      if (!this.byIdCache.has(cell.id)) this.byIdCache.set(cell.id, this.viewOf(cell));
    }
    return this.byIdCache.get(id);
  }

  /** The view of a cell already on the page. */
  find(cell: Cell): CellView | undefined {
    return this.views.get(cell);
  }

  byId(id: string): Cell | undefined {
    return this.nb.cells.find((c) => c.id === id);
  }

  indexOf(cell: Cell): number {
    return this.nb.cells.indexOf(cell);
  }

  allViews(): CellView[] {
    return this.nb.cells.map((c) => this.viewOf(c));
  }

  insert(index: number, cell: Cell): CellView {
    this.nb.cells.splice(index, 0, cell);
    this.sync();
    return this.viewOf(cell);
  }

  remove(cell: Cell): void {
    const index = this.indexOf(cell);
    if (index < 0) return;
    this.nb.cells.splice(index, 1);
    this.sync();
  }

  /** Moves a cell by `delta` places; false when it is already at that end. */
  move(cell: Cell, delta: number): boolean {
    const from = this.indexOf(cell);
    const to = from + delta;
    if (from < 0 || to < 0 || to >= this.nb.cells.length) return false;
    this.nb.cells.splice(from, 1);
    this.nb.cells.splice(to, 0, cell);
    this.sync();
    return true;
  }

  /** Replaces the whole order (undo, multi-cell moves): views of cells no longer present
   * are destroyed, views of returning cells created again. */
  setCells(cells: Cell[]): void {
    this.nb.cells.splice(0, this.nb.cells.length, ...cells);
    this.sync();
  }

  /** Puts the DOM in the order of `nb.cells`, touching only nodes that are out of place. */
  private sync(): void {
    const keep = new Set(this.nb.cells);
    for (const [cell, view] of this.views) {
      if (!keep.has(cell)) {
        view.destroy();
        this.views.delete(cell);
      }
    }
    let prev: Element | null = null;
    for (const cell of this.nb.cells) {
      const root = this.viewOf(cell).root;
      const want: Element | null = prev ? prev.nextElementSibling : this.el.firstElementChild;
      if (want !== root) {
        settle(root);
        if (prev) prev.after(root);
        else this.el.prepend(root);
      }
      prev = root;
    }
    this.onChange();
  }

  /** Scrolls a cell into view, settling what is around it first (lazy-cells.ts). */
  reveal(cell: Cell, block: ScrollLogicalPosition): void {
    const view = this.find(cell);
    if (view) this.lazy.reveal(view.root, block);
  }

  destroy(): void {
    this.lazy.stop();
    for (const view of this.views.values()) view.lazy.destroy();
  }
}
