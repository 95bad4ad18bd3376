// The page's notebook model kept in step with the service's live document (docs/live.md).
// The page edits its own `Notebook` as before; `push` writes what changed into the shared
// YNotebook (sources as minimal text edits, so concurrent typing merges), and `pull` takes
// what other pages (or the service) changed back into the page model.
import type { YNotebook } from "@jupyter/ydoc";
import * as Y from "yjs";

import { type Cell, loadNotebook, type Notebook, type Output, saveNotebook } from "../model";

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

/** What this page last agreed with the document on, per cell: unchanged parts are not
 * compared again (a keystroke in a 500-cell notebook must not serialise every output). */
interface Agreed {
  source: string;
  metadata: string;
  outputs: unknown[];
  count: number | null;
  /** The shared map the cell was last seen in (a move re-creates it). */
  ymodel: unknown;
}
const agreed = new WeakMap<Cell, Agreed>();

/** Cheap identity of a cell's outputs: the page changes them in place (streams grow,
 * displays update), so the parts that change are compared, never the JSON. */
function outputsPrint(cell: Cell): unknown[] {
  const print: unknown[] = [cell.outputs.length];
  for (const o of cell.outputs) print.push(o, o["text"], o["data"], o["metadata"]);
  return print;
}

function samePrint(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function remember(cell: Cell, ymodel: unknown, source = cell.source): void {
  agreed.set(cell, {
    ymodel,
    source,
    metadata: JSON.stringify(cell.metadata),
    outputs: outputsPrint(cell),
    count: cell.execution_count,
  });
}

/** The page changed to a new document (the service loaded it anew): what was agreed with
 * the old one says nothing about the new one. */
export function forget(cells: readonly Cell[]): void {
  for (const cell of cells) agreed.delete(cell);
}

/** Page → document: the cells' order, membership, sources, metadata, outputs and counts.
 * @jupyter/ydoc updates its cell list when a transaction ends, so each insert or move is
 * a transaction of its own; the contents then go in one. */
export function push(nb: Notebook, ynb: YNotebook): void {
  const doc = ynb.ydoc;
  const wanted = new Set(nb.cells.map((c) => c.id));
  doc.transact(() => {
    for (let i = ynb.cells.length - 1; i >= 0; i--) {
      if (!wanted.has(ycellId(ynb, i))) ynb.deleteCell(i);
    }
  }, LOCAL);
  const moved = new Set<Cell>();
  nb.cells.forEach((cell, index) => {
    let at = -1;
    for (let i = index; i < ynb.cells.length; i++) {
      if (ycellId(ynb, i) === cell.id) {
        at = i;
        break;
      }
    }
    if (at === index) return;
    moved.add(cell);
    doc.transact(() => {
      if (at < 0) ynb.insertCell(index, cellJson(cell) as never);
      else ynb.moveCell(at, index);
    }, LOCAL);
    if (at < 0) remember(cell, ynb.getCell(index).ymodel);
  });
  doc.transact(() => {
    nb.cells.forEach((cell, index) => {
      const ycell = ynb.getCell(index);
      const last = agreed.get(cell);
      const unmoved = last && !moved.has(cell) && last.ymodel === ycell.ymodel;
      if (unmoved && last.source === cell.source && last.count === cell.execution_count) {
        const metadata = JSON.stringify(cell.metadata);
        if (metadata === last.metadata && samePrint(last.outputs, outputsPrint(cell))) return;
      }
      const ymodel = ycell.ymodel as Y.Map<unknown>;
      const ysource = ymodel.get("source") as Y.Text;
      const edit = textEdit(ysource.toString(), cell.source);
      if (edit) {
        if (edit.remove) ysource.delete(edit.at, edit.remove);
        if (edit.insert) ysource.insert(edit.at, edit.insert);
      }
      if (!same(ycell.getMetadata(), cell.metadata)) {
        ycell.setMetadata(structuredClone(cell.metadata) as never);
      }
      if (cell.cell_type === "code") {
        const code = ycell as unknown as {
          outputs: unknown[];
          setOutputs(o: unknown[]): void;
          execution_count: number | null;
        };
        const outputs = cellJson(cell)["outputs"] as unknown[];
        if (!same(code.outputs, outputs)) code.setOutputs(structuredClone(outputs));
        if ((code.execution_count ?? null) !== cell.execution_count) {
          code.execution_count = cell.execution_count;
        }
      }
      remember(cell, ycell.ymodel);
    });
  }, LOCAL);
}

/** The document's outputs for a cell, as the page's output objects where it can: the
 * output frame knows outputs by identity, and a new object is a new output whose scripts
 * run again (a Colab JS output opening a comm drew twice). An unchanged output stays the
 * same object; one that changed in place (a stream growing, a display updated) keeps its
 * object with the new fields, so the frame appends or updates it; the rest are new. */
export function mergeOutputs(mine: Output[], theirs: Output[]): Output[] {
  const saved = (cellJson({ ...EMPTY, outputs: mine })["outputs"] as unknown[]).map((o) =>
    JSON.stringify(o),
  );
  let at = 0; // mine[at:] may still be matched; outputs before a match were removed
  return theirs.map((next) => {
    const text = JSON.stringify(next);
    const found = saved.indexOf(text, at);
    if (found >= 0) {
      at = found + 1;
      return mine[found]!;
    }
    const old = mine[at];
    if (!old || !changedInPlace(old, next)) return next;
    at++;
    for (const key of Object.keys(old)) if (!(key in next) && !key.startsWith("_")) delete old[key];
    Object.assign(old, next);
    return old;
  });
}

/** The same output with new content: a stream that grew, a display that was updated. */
function changedInPlace(old: Output, next: Output): boolean {
  const kind = old.output_type === next.output_type ? old.output_type : null;
  if (kind === "stream") return old["name"] === next["name"];
  const id = kind && kind !== "error" ? displayIdOf(old) : null;
  return id !== null && id === displayIdOf(next);
}

const EMPTY: Cell = {
  id: "",
  cell_type: "code",
  source: "",
  metadata: {},
  outputs: [],
  execution_count: null,
  extra: {},
};

/** The display id the service keeps on an output (metadata.cloudbook.display_id). */
function displayIdOf(out: Output): string | null {
  const meta = out["metadata"] as { cloudbook?: { display_id?: unknown } } | undefined;
  const id = meta?.cloudbook?.display_id;
  return typeof id === "string" || typeof id === "number" ? String(id) : null;
}

/** The parts of @jupyter/ydoc's YCodeCell read here. */
interface CodeCell {
  youtputs: Y.Array<unknown>;
  getOutputs(): unknown[];
  execution_count: number | null;
}

/** True when the document's outputs are the page's (as saved), found without copying
 * them: a stream's text (a Y.Text) is compared as a string, other fields as JSON.
 * False means "maybe not": the caller compares in full. */
export function sameYOutputs(youtputs: Y.Array<unknown>, mine: Output[]): boolean {
  if (youtputs.length !== mine.length) return false;
  for (let i = 0; i < mine.length; i++) {
    const yout = youtputs.get(i);
    if (!(yout instanceof Y.Map)) return false;
    const out = mine[i]!;
    const keys = Object.keys(out).filter((k) => k !== "_display_id" && k !== "_tags");
    if (keys.length !== yout.size) return false;
    for (const key of keys) {
      if (!yout.has(key)) return false;
      const theirs: unknown = yout.get(key);
      const value = out[key];
      if (theirs instanceof Y.Text) {
        if (typeof value !== "string" || theirs.toString() !== value) return false;
      } else if (theirs instanceof Y.AbstractType || !same(theirs, value)) return false;
    }
  }
  return true;
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

/** Document → page. `changed` holds the shared types a transaction touched: cells it did
 * not touch are only checked for their place. Returns true when the page holds edits the
 * document lost and must push again: @jupyter/ydoc moves a cell by deleting it and
 * inserting a copy, so what this page typed into the cell while another page moved it
 * went into the deleted original. This page's source then wins over the copy (the copy
 * holds nothing this page had not seen: updates arrive in order).
 * `keep`: cells whose source stays as the page has it (typed before the first sync); the
 * next push writes it into the document. Their editor and form are not touched, so a
 * form field being typed into keeps its focus. */
export function pull(
  ynb: YNotebook,
  page: PullTarget,
  changed?: { has(t: unknown): boolean },
  keep?: (cell: Cell) => boolean,
): boolean {
  let rescue = false;
  const byId = new Map(page.nb.cells.map((c) => [c.id, c]));
  const next: Cell[] = [];
  for (let i = 0; i < ynb.cells.length; i++) {
    const ycell = ynb.getCell(i);
    const id = String(ycell.id);
    const mine = byId.get(id);
    const seen = mine && agreed.get(mine)?.ymodel === ycell.ymodel;
    if (mine && seen && changed && !changed.has(ycell.ymodel)) {
      next.push(mine);
      continue;
    }
    if (!mine) {
      const cell = loadNotebook({ cells: [ycell.toJSON() as Json] }).cells[0]!;
      remember(cell, ycell.ymodel);
      next.push(cell);
      continue;
    }
    next.push(mine);
    let source = ycell.getSource();
    const kept = keep?.(mine) ?? false;
    const theirs = source;
    if (kept) source = mine.source;
    const last = agreed.get(mine);
    const rescued = !kept && Boolean(last && last.ymodel !== ycell.ymodel && last.source !== source);
    if (rescued) {
      source = last!.source;
      rescue = true;
    }
    const edit = textEdit(mine.source, source);
    if (edit) {
      mine.source = source;
      page.sourceChanged(mine, edit);
    }
    let repaint = false;
    const metadata = (ycell.getMetadata() as Json) ?? {};
    if (!same(metadata, mine.metadata)) {
      mine.metadata = metadata;
      repaint = true;
    }
    if (mine.cell_type === "code") {
      const code = ycell as unknown as CodeCell;
      // The document's outputs are read (copied, serialised) only when they may differ:
      // at the first sync every cell is compared, 5 MB of outputs in a big notebook.
      if (!sameYOutputs(code.youtputs, mine.outputs)) {
        const outputs = code.getOutputs();
        if (!same(outputs, cellJson(mine)["outputs"])) {
          const json = { cell_type: "code", source: "", metadata: {}, outputs };
          mine.outputs = mergeOutputs(mine.outputs, loadNotebook({ cells: [json] }).cells[0]!.outputs);
          repaint = true;
        }
      }
      const count = code.execution_count ?? null;
      if (count !== mine.execution_count) {
        mine.execution_count = count;
        repaint = true;
      }
    }
    // A rescued source is not in the document yet: the next push compares it in full.
    if (rescued) agreed.delete(mine);
    else remember(mine, ycell.ymodel, theirs);
    if (repaint) page.repaint(mine);
  }
  const order = page.nb.cells;
  if (next.length !== order.length || next.some((c, i) => c !== order[i])) page.setCells(next);
  return rescue;
}
