// What the side panels and the runtime widget need from the notebook page, so that
// they do not depend on how the page is built.
import type { SessionOut } from "../api-types";
import type { Cell } from "../model";

export interface NotebookContext {
  readonly notebookId: string;
  /** The cells, in order (the live model: read, do not change). */
  cells(): readonly Cell[];
  /** Calls `fn` after any edit of the notebook (text, cells added, moved or deleted). */
  onEdit(fn: () => void): () => void;
  /** Calls `fn` each time a cell's run ends (code may have changed files). */
  onRunDone(fn: () => void): () => void;
  /** Scrolls the cell into view and selects it. */
  revealCell(cellId: string): void;
  /** The runtime the notebook is attached to right now, or null. */
  session(): SessionOut | null;
  /** Calls `fn` when the runtime attaches, reconnects or goes away. */
  onSession(fn: (s: SessionOut | null) => void): () => void;
  /** Attaches a runtime (as the first run of a cell does). */
  connect(): Promise<SessionOut>;
  /** Colab's "Disconnect and delete runtime". */
  disconnect(): Promise<void>;
  /** Saves pending edits now; resolves with the revision the server holds. */
  flush(): Promise<number>;
  /** Opens the notebook again from the server (after a restore). */
  reload(): void;
}

/** A list of listeners with a remover per listener. */
export class Listeners<A extends unknown[]> {
  private fns = new Set<(...args: A) => void>();
  add(fn: (...args: A) => void): () => void {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }
  emit(...args: A): void {
    for (const fn of [...this.fns]) fn(...args);
  }
}
