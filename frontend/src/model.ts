// The notebook document: nbformat JSON in, the same JSON out (unknown fields kept).
import type { KernelMessage } from "./wire";

export type Output = Record<string, unknown> & { output_type: string };

export interface Cell {
  id: string;
  cell_type: "code" | "markdown" | "raw";
  source: string;
  metadata: Record<string, unknown>;
  outputs: Output[];
  execution_count: number | null;
  extra: Record<string, unknown>;
}

export interface Notebook {
  cells: Cell[];
  rest: Record<string, unknown>;
}

const KNOWN = new Set(["id", "cell_type", "source", "metadata", "outputs", "execution_count"]);

function joinSource(source: unknown): string {
  return Array.isArray(source) ? source.join("") : String(source ?? "");
}

export function newCellId(): string {
  return crypto.randomUUID().replace(/-/g, "").slice(0, 16);
}

export function loadNotebook(json: Record<string, unknown>): Notebook {
  const { cells, ...rest } = json;
  return {
    rest,
    cells: ((cells as Record<string, unknown>[]) ?? []).map((raw) => {
      const extra: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(raw)) if (!KNOWN.has(k)) extra[k] = v;
      return {
        id: String(raw["id"] ?? newCellId()),
        cell_type: (raw["cell_type"] as Cell["cell_type"]) ?? "code",
        source: joinSource(raw["source"]),
        metadata: (raw["metadata"] as Record<string, unknown>) ?? {},
        outputs: ((raw["outputs"] as Output[]) ?? []).map((o) => ({
          ...o,
          ...("text" in o ? { text: joinSource(o["text"]) } : {}),
        })),
        execution_count: (raw["execution_count"] as number | null) ?? null,
        extra,
      };
    }),
  };
}

export function saveNotebook(nb: Notebook): Record<string, unknown> {
  return {
    ...nb.rest,
    cells: nb.cells.map((c) => {
      const base: Record<string, unknown> = {
        ...c.extra,
        id: c.id,
        cell_type: c.cell_type,
        source: c.source,
        metadata: c.metadata,
      };
      if (c.cell_type === "code") {
        base["outputs"] = c.outputs.map(({ _display_id, _tags, ...o }) => o);
        base["execution_count"] = c.execution_count;
      }
      return base;
    }),
  };
}

export function newCodeCell(source = ""): Cell {
  return {
    id: newCellId(),
    cell_type: "code",
    source,
    metadata: {},
    outputs: [],
    execution_count: null,
    extra: {},
  };
}

/** Colab's output tags on an output (docs/colab-protocol.md §6); never saved. */
export function outputTags(out: Output): readonly string[] {
  return (out["_tags"] as string[] | undefined) ?? [];
}

/** A tag marker (`output.use_tags`): display_data whose metadata.outputarea says nodisplay. */
function tagChange(content: Record<string, unknown>): { add: string[]; remove: string[] } | null {
  const metadata = content["metadata"] as Record<string, unknown> | undefined;
  const area = metadata?.["outputarea"] as Record<string, unknown> | undefined;
  if (!area || typeof area !== "object" || !area["nodisplay"]) return null;
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  return { add: list(area["add_tags"]), remove: list(area["remove_tags"]) };
}

function sameTags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t) => b.includes(t));
}

/** Two stream outputs that are one stream (same name, same tags). */
function joins(a: Output, b: Output): boolean {
  return (
    a.output_type === "stream" &&
    b.output_type === "stream" &&
    a["name"] === b["name"] &&
    sameTags(outputTags(a), outputTags(b))
  );
}

/** Applies one iopub message to a cell's outputs, as Jupyter front ends do, plus Colab's
 * output tags: markers change the active tags, outputs carry them, clears may name them. */
export class OutputAccumulator {
  /** Clears waiting for the next output (`wait: true`); [] clears everything. */
  private pendingClears: string[][] = [];
  private active: string[] = [];
  constructor(private cell: Cell) {}

  /** Removes the outputs carrying all of `tags` (all outputs when `tags` is empty); streams
   * that end up side by side join, as if the removed outputs had never been there. */
  private clear(tags: string[]): void {
    const outputs = this.cell.outputs;
    const carries = (o: Output) => tags.every((t) => outputTags(o).includes(t));
    const kept: Output[] = [];
    for (const o of tags.length ? outputs : []) {
      if (carries(o)) continue;
      const last = kept[kept.length - 1];
      if (last && joins(last, o)) last["text"] = String(last["text"]) + String(o["text"]);
      else kept.push(o);
    }
    outputs.splice(0, outputs.length, ...kept);
  }

  add(msg: KernelMessage): void {
    const type = msg.header.msg_type;
    const content = msg.content;
    const outputs = this.cell.outputs;
    if (type === "execute_input") {
      this.cell.execution_count = (content["execution_count"] as number) ?? null;
      return;
    }
    if (type === "clear_output") {
      const raw = content["output_tags"];
      const tags = Array.isArray(raw) ? raw.map(String) : raw ? [String(raw)] : [];
      if (content["wait"]) this.pendingClears.push(tags);
      else this.clear(tags);
      return;
    }
    const displayId = (content["transient"] as { display_id?: string } | undefined)?.display_id;
    if (type === "update_display_data") {
      for (const o of outputs) {
        if (displayId && o["_display_id"] === displayId) {
          o["data"] = content["data"];
          o["metadata"] = content["metadata"] ?? {};
        }
      }
      return;
    }
    if (!["stream", "display_data", "execute_result", "error"].includes(type)) return;
    const change = type === "display_data" ? tagChange(content) : null;
    if (change) {
      const next = this.active.filter((t) => !change.remove.includes(t));
      for (const t of change.add) if (!next.includes(t)) next.push(t);
      this.active = next;
      return;
    }
    for (const tags of this.pendingClears.splice(0)) this.clear(tags);
    const tags = [...this.active];
    const tagged = (out: Output): Output => (tags.length ? { ...out, _tags: tags } : out);
    if (type === "stream") {
      const last = outputs[outputs.length - 1];
      const out = tagged({ output_type: "stream", name: content["name"], text: content["text"] });
      if (last && joins(last, out)) last["text"] = String(last["text"]) + String(content["text"]);
      else outputs.push(out);
    } else if (type === "error") {
      outputs.push(
        tagged({
          output_type: "error",
          ename: content["ename"],
          evalue: content["evalue"],
          traceback: content["traceback"],
        }),
      );
    } else {
      const out: Output = {
        output_type: type,
        data: content["data"] ?? {},
        metadata: content["metadata"] ?? {},
      };
      if (type === "execute_result") out["execution_count"] = content["execution_count"];
      if (displayId) out["_display_id"] = displayId;
      outputs.push(tagged(out));
    }
  }
}

export function newMarkdownCell(source = ""): Cell {
  return { ...newCodeCell(source), cell_type: "markdown", outputs: [], execution_count: null };
}
