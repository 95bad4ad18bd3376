// Undo and redo of cell operations over whole snapshots of the cell order (cells are
// kept by reference, so a deleted cell comes back with its outputs).

export class UndoStack<T> {
  private undos: T[] = [];
  private redos: T[] = [];

  constructor(private limit = 100) {}

  /** Records the state before an operation; a new operation forgets what was undone. */
  push(before: T): void {
    this.undos.push(before);
    if (this.undos.length > this.limit) this.undos.shift();
    this.redos.length = 0;
  }

  get canUndo(): boolean {
    return this.undos.length > 0;
  }

  get canRedo(): boolean {
    return this.redos.length > 0;
  }

  /** The state to go back to, given the current one (kept for redo). */
  undo(current: T): T | undefined {
    const prev = this.undos.pop();
    if (prev !== undefined) this.redos.push(current);
    return prev;
  }

  redo(current: T): T | undefined {
    const next = this.redos.pop();
    if (next !== undefined) this.undos.push(current);
    return next;
  }
}
