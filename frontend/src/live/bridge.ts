// The page's notebook model kept in step with the service's live document (docs/live.md).
// The page edits its own `Notebook` as before; `push` writes what changed into the shared
// YNotebook (sources as minimal text edits, so concurrent typing merges), and `pull` takes
// what other pages (or the service) changed back into the page model.
import type { YNotebook } from "@jupyter/ydoc";
import type * as Y from "yjs";

import { type Cell, loadNotebook, type Notebook, saveNotebook } from "../model";

/** The origin of transactions this page makes (remote ones carry the provider). */
export const LOCAL = Symbol("cloudbook-page");

type Json = Record<string, unknown>;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** One edit turning `from` into `to`: the common prefix and suffix stay. */
export function textEdit(from: string, to: string): { at: number; remove: number; insert: string } | null {
  if (from === to) return null;
  let start = 0;
  while (start < from.length && start < to.length && from[start] === to[start]) start++;
  let end = 0;
  while (
    end < from.length - start &&
    end < to.length - start &&
    from[from.length - 1 - end] === to[to.length - 1 - end]
  )
    end++;
  return { at: start, remove: from.length - start - end, insert: to.slice(start, to.length - end) };
}

function cellJson(cell: Cell): Json {
  return (saveNotebook({ cells: [cell], rest: {} })["cells"] as Json[])[0]!;
}

function ycellId(ynb: YNotebook, index: number): string {
  return String(ynb.getCell(index).id);
}

/** Page → document: the cells' order, membership, sources, metadata, outputs and counts. */
export function push(nb: Notebook, ynb: YNotebook): void {
  ynb.ydoc.transact(() => {
    const wanted = new Set(nb.cells.map((c) => c.id));
    for (let i = ynb.cells.length - 1; i >= 0; i--) {
      if (!wanted.has(ycellId(ynb, i))) ynb.deleteCell(i);
    }
    nb.cells.forEach((cell, index) => {
      let at = -1;
      for (let i = index; i < ynb.cells.length; i++) {
        if (ycellId(ynb, i) === cell.id) {
          at = i;
          break;
        }
      }
      const json = cellJson(cell);
      if (at < 0) {
        ynb.insertCell(index, json as never);
        return;
      }
      if (at !== index) ynb.moveCell(at, index);
      const ycell = ynb.getCell(index);
      const ymodel = ycell.ymodel as Y.Map<unknown>;
      const ysource = ymodel.get("source") as Y.Text;
      const edit = textEdit(ysource.toString(), cell.source);
      if (edit) {
        if (edit.remove) ysource.delete(edit.at, edit.remove);
        if (edit.insert) ysource.insert(edit.at, edit.insert);
      }
      if (!same(ycell.getMetadata(), cell.metadata)) ycell.setMetadata(structuredClone(cell.metadata) as never);
      if (cell.cell_type === "code") {
        const code = ycell as unknown as {
          outputs: unknown[];
          setOutputs(o: unknown[]): void;
          execution_count: number | null;
        };
        const outputs = json["outputs"] as unknown[];
        if (!same(code.outputs, outputs)) code.setOutputs(structuredClone(outputs));
        if ((code.execution_count ?? null) !== cell.execution_count) {
          code.execution_count = cell.execution_count;
        }
      }
    });
  }, LOCAL);
}

export interface PullTarget {
  nb: Notebook;
  /** The order or membership of cells changed: the page rebuilds its list. */
  setCells(cells: Cell[]): void;
  /** One cell's source changed (the editor takes it with the cursor kept). */
  sourceChanged(cell: Cell, edit: { at: number; remove: number; insert: string }): void;
  /** One cell's outputs, count or metadata changed: repaint it. */
  repaint(cell: Cell): void;
}

/** Document → page. */
export function pull(ynb: YNotebook, page: PullTarget): void {
  const byId = new Map(page.nb.cells.map((c) => [c.id, c]));
  const next: Cell[] = [];
  for (let i = 0; i < ynb.cells.length; i++) {
    const json = ynb.getCell(i).toJSON() as Json;
    const id = String(json["id"]);
    const mine = byId.get(id);
    if (!mine) {
      next.push(loadNotebook({ cells: [json] }).cells[0]!);
      continue;
    }
    next.push(mine);
    const source = String(json["source"] ?? "");
    const edit = textEdit(mine.source, source);
    if (edit) {
      mine.source = source;
      page.sourceChanged(mine, edit);
    }
    let repaint = false;
    const metadata = (json["metadata"] as Json) ?? {};
    if (!same(metadata, mine.metadata)) {
      mine.metadata = metadata;
      repaint = true;
    }
    if (mine.cell_type === "code") {
      const outputs = (json["outputs"] as Json[]) ?? [];
      if (!same(outputs, cellJson(mine)["outputs"])) {
        mine.outputs = loadNotebook({ cells: [json] }).cells[0]!.outputs;
        repaint = true;
      }
      const count = (json["execution_count"] as number | null) ?? null;
      if (count !== mine.execution_count) {
        mine.execution_count = count;
        repaint = true;
      }
    }
    if (repaint) page.repaint(mine);
  }
  const order = page.nb.cells;
  if (next.length !== order.length || next.some((c, i) => c !== order[i])) page.setCells(next);
}
