// What a page did to the cell list before its live document first arrived (the page
// renders from its GET; the document comes over the WebSocket a moment later).
const sameIds = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((id, i) => id === b[i]);

/** The cell list after the first sync, when this page changed the list before it
 * (null: it did not). `opened`: the ids the page opened with; `mine`: the page's cells
 * then; `theirs`: the document's (after pull, the same objects for the same ids). When
 * nobody else changed the list meanwhile, this page's list stands; otherwise the
 * document's order, less the cells this page deleted, plus those it inserted (after the
 * cell they follow here). */
export function arrangeFirst<C extends { id: string }>(
  opened: readonly string[],
  mine: readonly C[],
  theirs: readonly C[],
): C[] | null {
  const mineIds = mine.map((c) => c.id);
  if (sameIds(mineIds, opened)) return null;
  if (sameIds(theirs.map((c) => c.id), opened)) {
    const byId = new Map(theirs.map((c) => [c.id, c]));
    return mine.map((c) => byId.get(c.id) ?? c);
  }
  const wasOpened = new Set(opened);
  const kept = new Set(mineIds);
  const out = theirs.filter((c) => !wasOpened.has(c.id) || kept.has(c.id));
  mine.forEach((cell, index) => {
    if (wasOpened.has(cell.id) || out.includes(cell)) return;
    const before = index > 0 ? out.findIndex((c) => c.id === mine[index - 1]!.id) : -1;
    out.splice(before + 1, 0, cell);
  });
  return out;
}
