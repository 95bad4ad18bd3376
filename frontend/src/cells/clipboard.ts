// Cells on the clipboard: nbformat cell JSON under our own MIME type (so a second
// notebook, or a second tab, pastes real cells), sources as text/plain for everything
// else, and a localStorage copy for browsers or paths without clipboard events.
import { type Cell, loadNotebook, newCellId, saveNotebook } from "../model";

export const CELLS_MIME = "application/x-cloudbook-cells+json";
const STORAGE_KEY = "cloudbook.cell-clipboard";

export interface ClipboardPayload {
  json: string;
  text: string;
}

export function serializeCells(cells: readonly Cell[]): ClipboardPayload {
  const saved = saveNotebook({ cells: [...cells], rest: {} })["cells"] as unknown[];
  return {
    json: JSON.stringify({ cells: saved }),
    text: cells.map((c) => c.source).join("\n\n"),
  };
}

/** Cells from clipboard JSON, each with a fresh id; [] for anything else. */
export function parseCells(json: string): Cell[] {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return [];
  }
  const raw = (data as { cells?: unknown })?.cells;
  if (!Array.isArray(raw)) return [];
  const cells = raw.filter((c): c is Record<string, unknown> => !!c && typeof c === "object");
  const fresh = cells.map(({ id: _id, ...rest }) => {
    const metadata = { ...((rest["metadata"] as Record<string, unknown>) ?? {}) };
    // Colab keeps its own cell id in metadata.id: a pasted cell is a new cell there too.
    if ("id" in metadata) metadata["id"] = newCellId();
    return { ...rest, metadata };
  });
  return loadNotebook({ cells: fresh }).cells.filter((c) =>
    ["code", "markdown", "raw"].includes(c.cell_type),
  );
}

export function storeLocally(payload: ClipboardPayload): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(payload));
  } catch {
    // Storage full or disabled: the system clipboard still has the cells.
  }
}

export function readLocal(): ClipboardPayload | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    const p = raw ? (JSON.parse(raw) as ClipboardPayload) : null;
    return p && typeof p.json === "string" ? p : null;
  } catch {
    return null;
  }
}

/** Cells from a paste event: our MIME first; the local copy only if the clipboard's text
 * is still what we put there (so text copied elsewhere later is not shadowed). */
export function cellsFromTransfer(data: DataTransfer | null): Cell[] {
  const json = data?.getData(CELLS_MIME);
  if (json) return parseCells(json);
  const local = readLocal();
  const text = data?.getData("text/plain") ?? "";
  if (local && (!text || text === local.text)) return parseCells(local.json);
  return [];
}
