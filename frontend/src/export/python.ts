// A notebook as a Python script, byte for byte what `jupyter nbconvert --to script`
// (nbconvert's PythonExporter) writes for the cases notebooks have: markdown as "# "
// comments, "# In[n]:" before each code cell, IPython syntax (%magics, !shell, %%cell
// magics, name?) as the get_ipython() calls IPython itself would run, so the script
// behaves the same under `ipython script.py`. Colab form comments (#@param) stay as written.
// tests/export/ holds a corpus that pytest checks against nbconvert itself.
type Json = Record<string, unknown>;

const HEADER = "#!/usr/bin/env python\n# coding: utf-8\n";

const text = (v: unknown): string => (Array.isArray(v) ? v.join("") : String(v ?? ""));

/** Python's repr() of a str (quotes chosen the way Python chooses them). */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + quote;
}

const call = (fn: string, ...args: string[]) => `get_ipython().${fn}(${args.map(pyRepr).join(", ")})`;

/** IPython's own cleanups first: leading blank lines go, a first-line indent is removed. */
function cleanup(lines: string[]): string[] {
  while (lines.length > 1 && !lines[0]!.trim()) lines.shift();
  const indent = /^[ \t]+/.exec(lines[0] ?? "")?.[0];
  if (!indent) return lines;
  return lines.map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l));
}

/** One line at the start of a statement, with IPython syntax rewritten. */
function transformLine(line: string): string {
  const m = /^(\s*)(.*)$/.exec(line)!;
  const [indent, rest] = [m[1]!, m[2]!];
  let g: RegExpExecArray | null;
  if ((g = /^([\w.,\s[\]*()]+?)\s*=\s*!(.*)$/.exec(rest)) && !rest.startsWith("!")) {
    return `${indent}${g[1]} = ${call("getoutput", g[2]!)}`;
  }
  if ((g = /^([\w.,\s[\]*()]+?)\s*=\s*%(\w+)\s*(.*)$/.exec(rest)) && !rest.startsWith("%")) {
    return `${indent}${g[1]} = ${call("run_line_magic", g[2]!, g[3]!)}`;
  }
  if ((g = /^!!(.*)$/.exec(rest))) return `${indent}${call("getoutput", g[1]!)}`;
  if ((g = /^!(.*)$/.exec(rest))) return `${indent}${call("system", g[1]!)}`;
  if ((g = /^%(\w+)\s*(.*)$/.exec(rest)) && !rest.startsWith("%%")) {
    return `${indent}${call("run_line_magic", g[1]!, g[2]!)}`;
  }
  if ((g = /^(\?\??)([\w.]+)$/.exec(rest.trim()) ?? /^([\w.]+)(\?\??)$/.exec(rest.trim()))) {
    const [a, b] = [g[1]!, g[2]!];
    const marks = a.startsWith("?") ? a : b;
    const name = a.startsWith("?") ? b : a;
    return `${indent}${call("run_line_magic", marks.length === 2 ? "pinfo2" : "pinfo", name)}`;
  }
  return line;
}

/** Tracks what a line leaves open (a triple-quoted string, brackets, a backslash) so that
 * only lines starting a statement are rewritten. */
function scan(line: string, state: { triple: string | null; depth: number }): boolean {
  let i = 0;
  while (i < line.length) {
    if (state.triple) {
      const end = line.indexOf(state.triple, i);
      if (end < 0) return false;
      i = end + 3;
      state.triple = null;
      continue;
    }
    const ch = line[i]!;
    if (ch === "#") return false;
    if (ch === "'" || ch === '"') {
      if (line.startsWith(ch.repeat(3), i)) {
        state.triple = ch.repeat(3);
        i += 3;
        continue;
      }
      i++;
      while (i < line.length && line[i] !== ch) i += line[i] === "\\" ? 2 : 1;
      i++;
      continue;
    }
    if ("([{".includes(ch)) state.depth++;
    else if (")]}".includes(ch)) state.depth = Math.max(0, state.depth - 1);
    i++;
  }
  return line.endsWith("\\");
}

/** A code cell's source as plain Python (what IPython would run). */
export function ipythonToPython(source: string): string {
  const lines = cleanup(source.split("\n"));
  const first = lines[0] ?? "";
  let out: string;
  const cell = /^%%(\w+)\s*(.*)$/.exec(first);
  if (cell) {
    // The body is everything after the magic line, ending with a newline.
    const whole = lines.join("\n");
    const body = whole.slice(first.length + 1);
    out = call("run_cell_magic", cell[1]!, cell[2]!, body && !body.endsWith("\n") ? `${body}\n` : body);
  } else {
    const state = { triple: null as string | null, depth: 0 };
    let continued = false;
    out = lines
      .map((line) => {
        const atStart = !state.triple && state.depth === 0 && !continued;
        const next = atStart ? transformLine(line) : line;
        continued = scan(line, state);
        return next;
      })
      .join("\n");
  }
  // IPython ends the cell with one newline, which nbconvert's template then drops.
  return out.endsWith("\n") ? out.slice(0, -1) : out;
}

const commentLines = (s: string) =>
  s
    .split("\n")
    .map((l) => `# ${l}`)
    .join("\n");

/** The notebook (nbformat JSON) as nbconvert's script export. */
export function notebookToPython(nb: Json): string {
  let out = HEADER;
  for (const cell of (nb["cells"] as Json[] | undefined) ?? []) {
    const source = text(cell["source"]);
    if (cell["cell_type"] === "markdown") {
      out += `\n${commentLines(source)}\n`;
    } else if (cell["cell_type"] === "code") {
      const n = cell["execution_count"];
      out += `\n# In[${typeof n === "number" && n ? n : " "}]:\n\n\n${ipythonToPython(source)}\n\n`;
    } else if (cell["cell_type"] === "raw") {
      const mime = String((cell["metadata"] as Json | undefined)?.["raw_mimetype"] ?? "");
      if (["", "text/x-python", "text/python", "application/x-python"].includes(mime.toLowerCase())) out += source;
    }
  }
  return out;
}
