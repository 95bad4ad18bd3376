// Three-way merge of two nbformat notebooks that both started from `base`, cell by cell
// (matched by id), so that neither side's text is lost: a cell changed on one side takes
// that side; a cell whose source both sides changed keeps ours and gets theirs inserted
// right after it as a copy marked as a conflict. Pure: works on the JSON documents.
type Json = Record<string, unknown>;

export interface MergeReport {
  /** Cells whose content (or presence) came from their side. */
  fromTheirs: number;
  /** Cells whose source both sides changed: both versions kept. */
  conflicts: number;
  /** Cells one side deleted and the other changed: kept. */
  keptDeleted: number;
}

export interface MergeResult {
  content: Json;
  report: MergeReport;
}

/** Metadata key marking the copy of their version next to ours. */
export const CONFLICT_KEY = "cloudbook_conflict";

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Json)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

const source = (cell: Json): string =>
  Array.isArray(cell["source"]) ? (cell["source"] as string[]).join("") : String(cell["source"] ?? "");

// What a cell is made of, in groups merged independently.
const GROUPS: Record<string, (cell: Json) => string> = {
  text: (c) => canonical([c["cell_type"], source(c)]),
  outputs: (c) => canonical([c["outputs"] ?? null, c["execution_count"] ?? null]),
  metadata: (c) => canonical(c["metadata"] ?? {}),
  rest: (c) => canonical(Object.fromEntries(Object.entries(c).filter(([k]) => !CORE.has(k)))),
};

const CORE = new Set(["id", "cell_type", "source", "outputs", "execution_count", "metadata"]);

const FIELDS: Record<string, string[]> = {
  text: ["cell_type", "source"],
  outputs: ["outputs", "execution_count"],
  metadata: ["metadata"],
};

function cellsOf(nb: Json | null): Json[] {
  const cells = nb?.["cells"];
  return Array.isArray(cells) ? (cells as Json[]) : [];
}

function byId(cells: Json[]): Map<string, Json> {
  const map = new Map<string, Json>();
  for (const c of cells) if (typeof c["id"] === "string") map.set(c["id"], c);
  return map;
}

function changed(base: Json | undefined, side: Json, group: string): boolean {
  return !base || GROUPS[group]!(base) !== GROUPS[group]!(side);
}

/** Takes every field group from the side that changed it (ours when both did). */
function mergeCell(base: Json | undefined, ours: Json, theirs: Json): Json {
  const out: Json = { ...ours };
  for (const group of Object.keys(GROUPS)) {
    if (changed(base, ours, group) || !changed(base, theirs, group)) continue;
    if (group === "rest") {
      for (const k of Object.keys(out)) if (!CORE.has(k)) delete out[k];
      for (const [k, v] of Object.entries(theirs)) if (!CORE.has(k)) out[k] = v;
      continue;
    }
    for (const field of FIELDS[group]!) {
      if (field in theirs) out[field] = theirs[field];
      else delete out[field];
    }
  }
  return out;
}

function conflictCopy(theirs: Json, ourId: string, taken: Set<string>, revision?: number): Json {
  let id = `${ourId.slice(0, 52)}-theirs`;
  for (let n = 2; taken.has(id); n++) id = `${ourId.slice(0, 50)}-theirs${n}`;
  taken.add(id);
  const metadata = { ...((theirs["metadata"] as Json | undefined) ?? {}) };
  metadata[CONFLICT_KEY] = { of: ourId, ...(revision === undefined ? {} : { revision }) };
  return { ...theirs, id, metadata };
}

function sameOrder(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Merges `ours` and `theirs` (both descended from `base`); `revision` labels conflicts. */
export function mergeNotebooks(
  base: Json | null,
  ours: Json,
  theirs: Json,
  revision?: number,
): MergeResult {
  const report: MergeReport = { fromTheirs: 0, conflicts: 0, keptDeleted: 0 };
  const B = byId(cellsOf(base));
  const O = byId(cellsOf(ours));
  const T = byId(cellsOf(theirs));
  const taken = new Set([...O.keys(), ...T.keys()]);
  // Each id's merged cell(s), or none when deleted.
  const result = new Map<string, Json[]>();
  for (const id of new Set([...O.keys(), ...T.keys()])) {
    const b = B.get(id);
    const o = O.get(id);
    const t = T.get(id);
    const touched = (side: Json) => Object.keys(GROUPS).some((g) => changed(b, side, g));
    if (o && t) {
      const both = changed(b, o, "text") && changed(b, t, "text");
      if (both && GROUPS["text"]!(o) !== GROUPS["text"]!(t)) {
        report.conflicts++;
        result.set(id, [o, conflictCopy(t, id, taken, revision)]);
      } else {
        const merged = mergeCell(b, o, t);
        if (canonical(merged) !== canonical(o)) report.fromTheirs++;
        result.set(id, [merged]);
      }
    } else if (o) {
      // Not in theirs: new on our side, or deleted on theirs (kept if we changed it).
      if (!b) result.set(id, [o]);
      else if (touched(o)) {
        report.keptDeleted++;
        result.set(id, [o]);
      }
    } else if (t) {
      if (!b) {
        report.fromTheirs++;
        result.set(id, [t]);
      } else if (touched(t)) {
        report.keptDeleted++;
        result.set(id, [t]);
      }
    }
  }
  // Order: theirs if we kept the base order (they may have moved cells), else ours; the
  // other side's extra cells go after their predecessor on that side.
  const baseOrder = cellsOf(base).map((c) => String(c["id"]));
  const ourIds = cellsOf(ours).map((c) => String(c["id"]));
  const theirIds = cellsOf(theirs).map((c) => String(c["id"]));
  const ourCommon = ourIds.filter((id) => B.has(id) && T.has(id));
  const baseCommon = baseOrder.filter((id) => O.has(id) && T.has(id));
  const theyMoved = !sameOrder(theirIds.filter((id) => B.has(id) && O.has(id)), baseCommon);
  const useTheirs = theyMoved && sameOrder(ourCommon, baseCommon);
  if (useTheirs) report.fromTheirs++;
  const primary = useTheirs ? theirIds : ourIds;
  const secondary = useTheirs ? ourIds : theirIds;
  const order = primary.filter((id) => result.has(id));
  const placed = new Set(order);
  secondary.forEach((id, i) => {
    if (placed.has(id) || !result.has(id)) return;
    let at = 0;
    for (let j = i - 1; j >= 0; j--) {
      const k = order.indexOf(secondary[j]!);
      if (k >= 0) {
        at = k + 1;
        break;
      }
    }
    order.splice(at, 0, id);
    placed.add(id);
  });
  const cells = order.flatMap((id) => result.get(id)!);
  // Notebook-level fields (metadata, nbformat): theirs where only they changed them.
  const top: Json = { ...ours };
  for (const [k, v] of Object.entries(theirs)) {
    if (k === "cells") continue;
    const b = base?.[k];
    if (canonical(b) === canonical(ours[k]) && canonical(b) !== canonical(v)) top[k] = v;
  }
  return { content: { ...top, cells }, report };
}

/** What the user is told after a merge. */
export function describeMerge(report: MergeReport, revision: number): string {
  const parts = [`This notebook was changed elsewhere (revision ${revision}); both versions were merged.`];
  if (report.conflicts) {
    const n = report.conflicts;
    parts.push(
      `${n} cell${n === 1 ? " was" : "s were"} changed on both sides: yours kept, the other version inserted below ${n === 1 ? "it" : "each"}, marked "Conflict".`,
    );
  }
  if (report.keptDeleted) {
    const n = report.keptDeleted;
    parts.push(`${n} cell${n === 1 ? "" : "s"} deleted on one side but changed on the other ${n === 1 ? "was" : "were"} kept.`);
  }
  if (!report.conflicts && !report.keptDeleted && report.fromTheirs) {
    parts.push("No conflicts.");
  }
  return parts.join(" ");
}
