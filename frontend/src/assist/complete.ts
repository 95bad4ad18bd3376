// complete_reply / inspect_reply contents into what the editor shows (pure: tested
// without a kernel).
import { stripAnsi } from "../ansi";
import { fromCodePoint } from "./codepoints";

export interface CompletionItem {
  label: string;
  /** CodeMirror's icon class: function, class, namespace, variable, keyword, text… */
  type?: string;
  /** What the kernel says the item is (shown beside it). */
  detail?: string;
  /** The signature, shown beside the list for the selected item. */
  info?: string;
  boost?: number;
}

export interface Completions {
  from: number;
  to: number;
  items: CompletionItem[];
}

interface TypedMatch {
  text?: unknown;
  type?: unknown;
  signature?: unknown;
}

// IPython's type names (jedi's, really) mapped onto CodeMirror's icon set.
const ICONS: Record<string, string> = {
  function: "function",
  class: "class",
  module: "namespace",
  instance: "variable",
  statement: "variable",
  param: "variable",
  keyword: "keyword",
  property: "property",
  path: "text",
  magic: "keyword",
};

/** Turns a complete_reply's content into editor completions for `code` (UTF-16 offsets). */
export function completionsFromReply(
  code: string,
  content: Record<string, unknown>,
): Completions | null {
  if (content["status"] !== "ok") return null;
  const matches = Array.isArray(content["matches"]) ? content["matches"].map(String) : [];
  if (!matches.length) return null;
  const from = fromCodePoint(code, Number(content["cursor_start"] ?? 0));
  const to = fromCodePoint(code, Number(content["cursor_end"] ?? 0));
  const metadata = (content["metadata"] ?? {}) as Record<string, unknown>;
  const typed = metadata["_jupyter_types_experimental"];
  const types = new Map<string, TypedMatch>();
  if (Array.isArray(typed)) {
    for (const t of typed as TypedMatch[]) if (typeof t.text === "string") types.set(t.text, t);
  }
  const seen = new Set<string>();
  const items: CompletionItem[] = [];
  for (const label of matches) {
    if (seen.has(label)) continue;
    seen.add(label);
    const item: CompletionItem = { label };
    const t = types.get(label);
    const kind = typeof t?.type === "string" ? t.type : "";
    if (kind && kind !== "<unknown>") {
      item.type = ICONS[kind] ?? "variable";
      item.detail = kind;
      // A signature can be long: it goes in the side panel of the selected item.
      const sig = typeof t?.signature === "string" ? t.signature : "";
      if (sig) item.info = `${label}${sig}`;
    }
    // Private names last, as IPython orders them.
    if (/^_|\._/.test(label)) item.boost = -1;
    items.push(item);
  }
  return { from, to, items };
}

const MAX_TOOLTIP_CHARS = 4000;

/** The plain text of an inspect_reply, ANSI stripped, or null when nothing was found. */
export function inspectText(content: Record<string, unknown>): string | null {
  if (content["status"] !== "ok" || !content["found"]) return null;
  const data = (content["data"] ?? {}) as Record<string, unknown>;
  const plain = data["text/plain"];
  if (typeof plain !== "string") return null;
  const text = stripAnsi(plain).trim();
  if (!text) return null;
  return text.length > MAX_TOOLTIP_CHARS ? `${text.slice(0, MAX_TOOLTIP_CHARS)}…` : text;
}

/** Whether Tab should ask for completions: the cursor follows a name, a dot, or a path. */
export function wantsCompletion(lineBefore: string): boolean {
  return /[\w.]$/.test(lineBefore) || /["'][^"'\s]*\/$/.test(lineBefore);
}

/** Whether typing just happened after an attribute dot (Colab opens completions then). */
export function afterAttributeDot(lineBefore: string): boolean {
  if (/^\s*#/.test(lineBefore) || /(^|[^\w])\d+\.\d*$/.test(lineBefore)) return false;
  return /[\w)\]]\.\w*$/.test(lineBefore);
}
