// The current cell, the selection and the two modes (as in Colab and Jupyter): edit mode
// while a cell's editor or form has focus, command mode when the cell itself has it
// (Esc), where keys act on cells. Paints `.current` / `.selected` on the cells.
import { CellSelection } from "../../cells/selection";
import type { Cell } from "../../model";
import { type CellList, settle } from "./cell-list";

export class CellCursor {
  readonly selection = new CellSelection();
  private lastIndex = 0;

  constructor(private list: CellList) {
    list.el.addEventListener("focusin", (e) => {
      const cell = this.cellAt(e.target);
      // Focus that follows our own extendTo keeps the range; any other focus collapses it.
      if (cell && cell.id !== this.selection.current) this.setCurrent(cell);
    });
    list.el.addEventListener(
      "mousedown",
      (e) => {
        const cell = this.cellAt(e.target);
        // Alt+Shift+drag in an editor is a rectangular text selection, not a cell range.
        if (!cell || !e.shiftKey || e.altKey) return;
        e.preventDefault();
        this.extendTo(cell);
      },
      true,
    );
  }

  private order(): string[] {
    return this.list.cells.map((c) => c.id);
  }

  private cellAt(target: EventTarget | null): Cell | undefined {
    const root = target instanceof Element ? target.closest<HTMLElement>(".cell") : null;
    const id = root?.dataset["cellId"];
    return id ? this.list.byId(id) : undefined;
  }

  current(): Cell | undefined {
    const id = this.selection.current;
    return (id && this.list.byId(id)) || this.list.cells[0];
  }

  /** The selected cells in document order (the current one when nothing else is). */
  selectedCells(): Cell[] {
    const ids = new Set(this.selection.selected(this.order()));
    const cells = this.list.cells.filter((c) => ids.has(c.id));
    const current = this.current();
    return cells.length ? cells : current ? [current] : [];
  }

  setCurrent(cell: Cell): void {
    this.selection.setCurrent(cell.id);
    this.paint();
  }

  /** Shift+click / Shift+Up: the range from the anchor to `cell`, in command mode. */
  extendTo(cell: Cell): void {
    this.selection.extendTo(cell.id);
    this.paint();
    this.commandMode();
  }

  /** Up/Down in command mode, or Ctrl+M N/P: the neighbour becomes current. */
  step(delta: number, extend = false): void {
    const id = this.selection.neighbour(this.order(), delta);
    const cell = id ? this.list.byId(id) : undefined;
    if (!cell) return;
    if (extend) return this.extendTo(cell);
    const editing = !this.inCommandMode();
    this.setCurrent(cell);
    if (editing) this.editMode();
    else this.commandMode();
  }

  selectAll(): void {
    this.selection.selectAll(this.order());
    this.paint();
    this.commandMode();
  }

  /** Selects `cells` (a contiguous run), the last one current. */
  selectRange(cells: Cell[]): void {
    if (!cells.length) return;
    this.selection.setCurrent(cells[0]!.id);
    this.selection.extendTo(cells[cells.length - 1]!.id);
    this.paint();
  }

  /** Focus on the current cell itself: keys now act on cells. */
  commandMode(): void {
    const cell = this.current();
    const view = cell && this.list.find(cell);
    if (!view) return;
    view.root.focus({ preventScroll: true });
    this.list.reveal(cell, "nearest");
  }

  /** Focus in the current cell's editor (a text cell shows its source). */
  editMode(): void {
    const cell = this.current();
    if (cell) this.list.find(cell)?.edit();
  }

  /** True when no editor, field or button has the focus (only a cell or the page). */
  inCommandMode(): boolean {
    const el = document.activeElement;
    return !el || el === document.body || (el instanceof HTMLElement && el.matches(".cell"));
  }

  /** Repaints the highlight; after cells went away, the cell at the old place is current. */
  paint(): void {
    const order = this.order();
    this.selection.repair(order, this.lastIndex);
    const selected = new Set(this.selection.selected(order));
    const many = selected.size > 1;
    for (const cell of this.list.cells) {
      const view = this.list.find(cell);
      if (!view) continue;
      const id = cell.id;
      view.root.classList.toggle("current", id === this.selection.current);
      if (id === this.selection.current) settle(view.root);
      view.root.classList.toggle("selected", many && selected.has(id));
    }
    const index = order.indexOf(this.selection.current ?? "");
    if (index >= 0) this.lastIndex = index;
  }
}
