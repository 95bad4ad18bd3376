// The ordered cells of the notebook and their views: the one place that keeps
// `nb.cells` and the DOM order in step.
import type { Cell, Notebook } from "../../model";
import { h } from "../dom";
import type { CellView } from "./cell-view";

/** Cells drawn at open skip layout and paint while off screen (`.lazy-layout`, CSS
 * content-visibility): a 500-cell notebook opens without laying out every cell. A cell
 * leaves that state for good once it is touched (moved, current, focused, pointed at):
 * Chromium takes a cell that enters it as off screen until the next frame, and its text
 * and menus must be there at once. */
export function settle(root: Element): void {
  root.classList.remove("lazy-layout");
}

export class CellList {
  readonly el = h("div", { class: "cells" });
  private views = new Map<Cell, CellView>();
  /** Called after every change of order or membership (the cursor repaints). */
  onChange: () => void = () => {};

  constructor(
    private nb: Notebook,
    private makeView: (cell: Cell) => CellView,
  ) {
    for (const cell of nb.cells) {
      // Not `.lazy-layout` for now: with it, scrolling to the end of a 500-cell notebook
      // stopped short of the last cell's outputs (tests/e2e/test_streams.py).
      this.el.append(this.viewOf(cell).root);
    }
    const touched = (e: Event) => {
      const cell = (e.target as Element | null)?.closest?.(".cell");
      if (cell) settle(cell);
    };
    this.el.addEventListener("focusin", touched);
    this.el.addEventListener("pointerover", touched);
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

  destroy(): void {
    for (const view of this.views.values()) view.lazy.destroy();
  }
}
