// Which cells are selected: the current cell plus, after Shift+click or Shift+Up/Down,
// the contiguous range from an anchor to it (as in Colab). Works on cell ids only.

export class CellSelection {
  current: string | null = null;
  private anchor: string | null = null;

  /** Makes `id` current and the only selected cell. */
  setCurrent(id: string): void {
    this.current = id;
    this.anchor = id;
  }

  /** Moves the current cell to `id`, keeping the anchor: selects the range between. */
  extendTo(id: string): void {
    if (this.anchor === null) this.anchor = this.current ?? id;
    this.current = id;
  }

  /** Selects every cell, the last one current. */
  selectAll(order: readonly string[]): void {
    if (!order.length) return;
    this.anchor = order[0]!;
    this.current = order[order.length - 1]!;
  }

  /** The selected ids in document order (at least the current one, when it exists). */
  selected(order: readonly string[]): string[] {
    const c = this.current === null ? -1 : order.indexOf(this.current);
    if (c < 0) return [];
    let a = this.anchor === null ? -1 : order.indexOf(this.anchor);
    if (a < 0) a = c;
    return order.slice(Math.min(a, c), Math.max(a, c) + 1);
  }

  /** The id `delta` places from the current one, clamped to the ends. */
  neighbour(order: readonly string[], delta: number): string | null {
    if (!order.length) return null;
    const c = this.current === null ? 0 : Math.max(0, order.indexOf(this.current));
    return order[Math.min(order.length - 1, Math.max(0, c + delta))]!;
  }

  /** After cells went away: keeps a valid current cell (the one at the old place). */
  repair(order: readonly string[], fallbackIndex: number): void {
    if (this.current !== null && order.includes(this.current)) {
      if (this.anchor !== null && !order.includes(this.anchor)) this.anchor = this.current;
      return;
    }
    const id = order[Math.min(Math.max(fallbackIndex, 0), order.length - 1)];
    if (id !== undefined) this.setCurrent(id);
    else this.current = this.anchor = null;
  }
}
