// The difference between two revisions, cell by cell (matched by cell id), with a line
// diff of each changed source: what the revision history's "Compare with" shows.
import { type Cell, loadNotebook } from "../model";
import { h } from "./dom";

export type LineOp = { op: "same" | "add" | "del"; text: string };

/** A line diff (longest common subsequence): enough for cells of notebook size. */
export function diffLines(before: string, after: string): LineOp[] {
  const a = before.split("\n");
  const b = after.split("\n");
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () =>
    new Array<number>(b.length + 1).fill(0),
  );
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: LineOp[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      ops.push({ op: "same", text: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) ops.push({ op: "del", text: a[i++]! });
    else ops.push({ op: "add", text: b[j++]! });
  }
  while (i < a.length) ops.push({ op: "del", text: a[i++]! });
  while (j < b.length) ops.push({ op: "add", text: b[j++]! });
  return ops;
}

type CellChange = { kind: "added" | "removed" | "changed"; cell: Cell; lines: LineOp[] };

/** What changed from `older` to `newer`; unchanged cells are left out. */
export function diffNotebooks(
  older: Record<string, unknown>,
  newer: Record<string, unknown>,
): CellChange[] {
  const before = loadNotebook(older).cells;
  const after = loadNotebook(newer).cells;
  const old = new Map(before.map((c) => [c.id, c]));
  const changes: CellChange[] = [];
  const seen = new Set<string>();
  for (const cell of after) {
    const was = old.get(cell.id);
    seen.add(cell.id);
    if (!was) changes.push({ kind: "added", cell, lines: diffLines("", cell.source) });
    else if (was.source !== cell.source) {
      changes.push({ kind: "changed", cell, lines: diffLines(was.source, cell.source) });
    }
  }
  for (const cell of before) {
    if (!seen.has(cell.id)) changes.push({ kind: "removed", cell, lines: diffLines(cell.source, "") });
  }
  return changes;
}

export function renderDiff(changes: CellChange[]): HTMLElement {
  if (!changes.length) {
    return h("p", { class: "muted", "data-testid": "revision-diff" }, "No cell differs.");
  }
  const marks = { same: " ", add: "+", del: "-" };
  return h(
    "div",
    { class: "revision-diff", "data-testid": "revision-diff" },
    ...changes.map((c) =>
      h(
        "div",
        { class: `rev-diff-cell rev-diff-${c.kind}`, "data-testid": "revision-diff-cell" },
        h("div", { class: "muted" }, `${c.cell.cell_type} cell ${c.kind}`),
        h(
          "pre",
          { class: "rev-code" },
          ...c.lines.map((l) =>
            h("div", { class: `rev-line-${l.op}`, "data-op": l.op }, `${marks[l.op]} ${l.text}`),
          ),
        ),
      ),
    ),
  );
}
