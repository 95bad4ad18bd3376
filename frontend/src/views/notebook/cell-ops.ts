// Structural cell operations: insert, move, delete. Every one goes through here, so
// undo and selection have a single place to hook.
import { type Cell, newCodeCell, newMarkdownCell } from "../../model";
import type { CellList } from "./cell-list";

export class CellOps {
  constructor(
    private list: CellList,
    private changed: () => void,
  ) {}

  insertCell(index: number, text = false): Cell {
    const cell = text ? newMarkdownCell() : newCodeCell();
    const view = this.list.insert(index, cell);
    view.editor.focus();
    this.changed();
    return cell;
  }

  moveCell(cell: Cell, delta: -1 | 1): void {
    if (this.list.move(cell, delta)) this.changed();
  }

  deleteCell(cell: Cell): void {
    if (this.list.indexOf(cell) < 0) return;
    this.list.remove(cell);
    if (!this.list.cells.length) this.insertCell(0);
    this.changed();
  }
}
