// Structural cell operations: insert, move, delete, convert, copy/cut/paste, and their
// undo. Every one records the cell order first, so undo/redo is one mechanism.
import {
  type ClipboardPayload,
  readLocal,
  serializeCells,
  storeLocally,
  parseCells,
} from "../../cells/clipboard";
import { UndoStack } from "../../cells/undo";
import { type Cell, newCodeCell, newMarkdownCell } from "../../model";
import type { CellList } from "./cell-list";
import type { CellCursor } from "./cursor";

interface Snapshot {
  cells: Cell[];
  current: string | null;
}

export class CellOps {
  private history = new UndoStack<Snapshot>();

  constructor(
    private list: CellList,
    private cursor: CellCursor,
    private changed: () => void,
  ) {}

  private snapshot(): Snapshot {
    return { cells: [...this.list.cells], current: this.cursor.selection.current };
  }

  private record(): void {
    this.history.push(this.snapshot());
  }

  /** Inserts a new empty cell at `index` and starts editing it. */
  insertCell(index: number, text = false): Cell {
    this.record();
    const cell = text ? newMarkdownCell() : newCodeCell();
    this.list.insert(index, cell);
    this.cursor.setCurrent(cell);
    this.cursor.editMode();
    this.changed();
    return cell;
  }

  /** Inserts next to `cell` (default: the current one; below goes past the selection). */
  insertNear(where: "above" | "below", text = false, cell?: Cell): Cell {
    const around = cell ? [cell] : this.cursor.selectedCells();
    const first = around[0] ? this.list.indexOf(around[0]) : 0;
    const last = around.length ? this.list.indexOf(around[around.length - 1]!) : -1;
    return this.insertCell(where === "above" ? Math.max(0, first) : last + 1, text);
  }

  moveCell(cell: Cell, delta: -1 | 1): void {
    const to = this.list.indexOf(cell) + delta;
    if (to < 0 || to >= this.list.cells.length) return;
    this.record();
    this.list.move(cell, delta);
    this.changed();
  }

  /** Moves the selected cells (as a block) one place up or down. */
  moveSelection(delta: -1 | 1): void {
    const sel = this.cursor.selectedCells();
    if (!sel.length) return;
    const cells = [...this.list.cells];
    const from = cells.indexOf(sel[0]!);
    const to = from + delta;
    if (to < 0 || to + sel.length > cells.length) return;
    this.record();
    cells.splice(from, sel.length);
    cells.splice(to, 0, ...sel);
    this.list.setCells(cells);
    this.cursor.paint();
    this.changed();
  }

  deleteCell(cell: Cell): void {
    if (this.list.indexOf(cell) < 0) return;
    this.removeCells([cell]);
  }

  deleteSelection(): void {
    this.removeCells(this.cursor.selectedCells());
  }

  private removeCells(cells: Cell[]): void {
    if (!cells.length) return;
    this.record();
    const wasCommand = this.cursor.inCommandMode() || cells.length > 1;
    const gone = new Set(cells);
    const rest = this.list.cells.filter((c) => !gone.has(c));
    // A notebook always has a cell, as in Colab.
    if (!rest.length) rest.push(newCodeCell());
    this.list.setCells(rest);
    this.cursor.paint();
    if (wasCommand || document.activeElement === document.body) this.cursor.commandMode();
    this.changed();
  }

  /** Turns the selected cells into code or text cells (Ctrl+M Y / Ctrl+M M). */
  convertSelection(type: "code" | "markdown"): void {
    const sel = this.cursor.selectedCells().filter((c) => c.cell_type !== type);
    if (!sel.length) return;
    this.record();
    const replaced = new Map<Cell, Cell>();
    for (const c of sel) {
      // A new object keeps the old one intact for undo; the id stays.
      const metadata = { ...c.metadata };
      if (type === "markdown") delete metadata["executionInfo"];
      const next: Cell = { ...c, cell_type: type, metadata, outputs: [], execution_count: null };
      replaced.set(c, next);
    }
    const editing = !this.cursor.inCommandMode();
    this.list.setCells(this.list.cells.map((c) => replaced.get(c) ?? c));
    this.cursor.selectRange(this.cursor.selectedCells());
    if (editing) this.cursor.editMode();
    else this.cursor.commandMode();
    this.changed();
  }

  /** Splits the current cell at its cursor (Ctrl+M -): the rest goes to a new cell below.
   * Both halves are new objects, so undo brings back the cell as it was. */
  splitCurrent(): void {
    const cell = this.cursor.current();
    const view = cell && this.list.find(cell);
    if (!cell || !view) return;
    const at = view.editor.state.selection.main.head;
    this.record();
    const head: Cell = { ...cell, source: cell.source.slice(0, at).replace(/\n$/, "") };
    head.metadata = { ...cell.metadata };
    const make = cell.cell_type === "markdown" ? newMarkdownCell : newCodeCell;
    const rest = make(cell.source.slice(at).replace(/^\n/, ""));
    this.list.setCells(this.list.cells.flatMap((c) => (c === cell ? [head, rest] : [c])));
    this.cursor.setCurrent(rest);
    this.cursor.editMode();
    this.changed();
  }

  /** Clears outputs, counts and run records (of the selection, or of every cell). */
  clearOutputs(all = false): void {
    for (const cell of all ? this.list.cells : this.cursor.selectedCells()) {
      if (cell.cell_type !== "code") continue;
      cell.outputs = [];
      cell.execution_count = null;
      delete cell.metadata["executionInfo"];
      this.list.find(cell)?.paint();
    }
    this.changed();
  }

  /** The selected cells as clipboard content (also kept in localStorage). */
  copySelection(): ClipboardPayload {
    const payload = serializeCells(this.cursor.selectedCells());
    storeLocally(payload);
    return payload;
  }

  cutSelection(): ClipboardPayload {
    const payload = this.copySelection();
    this.deleteSelection();
    return payload;
  }

  /** Inserts cells below the selection; they become the selection. */
  paste(cells: Cell[]): void {
    if (!cells.length) return;
    this.record();
    const sel = this.cursor.selectedCells();
    const at = sel.length ? this.list.indexOf(sel[sel.length - 1]!) + 1 : this.list.cells.length;
    const next = [...this.list.cells];
    next.splice(at, 0, ...cells);
    this.list.setCells(next);
    this.cursor.selectRange(cells);
    this.cursor.commandMode();
    this.changed();
  }

  /** Paste without a clipboard event (menu, palette, Ctrl+M V): the local copy. */
  pasteLocal(): void {
    const local = readLocal();
    if (local) this.paste(parseCells(local.json));
  }

  get canUndo(): boolean {
    return this.history.canUndo;
  }

  get canRedo(): boolean {
    return this.history.canRedo;
  }

  undo(): void {
    this.restore(this.history.undo(this.snapshot()));
  }

  redo(): void {
    this.restore(this.history.redo(this.snapshot()));
  }

  private restore(s: Snapshot | undefined): void {
    if (!s) return;
    this.list.setCells(s.cells);
    const current = s.current ? this.list.byId(s.current) : undefined;
    if (current) this.cursor.setCurrent(current);
    else this.cursor.paint();
    this.cursor.commandMode();
    this.changed();
  }
}
