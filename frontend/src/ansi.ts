// Terminal text: ANSI styles to spans, carriage returns applied like a terminal.
const COLORS = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"];

/** Apply \r (return to line start) and \b the way a terminal would. */
export function applyCarriageReturns(text: string): string {
  if (!text.includes("\r") && !text.includes("\x08")) return text;
  return text
    .replace(/\r\n/g, "\n")
    .split("\n")
    .map((line) => {
      const parts = line.split("\r");
      let current = "";
      for (const part of parts) current = part + current.slice(part.length);
      while (current.includes("\x08")) {
        current = current.replace(/[^\x08]\x08/, "").replace(/^\x08+/, "");
      }
      return current;
    })
    .join("\n");
}

// CSI sequences (colours, cursor moves), OSC sequences (titles, hyperlinks) and
// two-character escapes: none of them is text.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ESCAPES, "");
}

interface Style {
  bold: boolean;
  italic: boolean;
  underline: boolean;
  fg: string | null; // "ansi-red"-style class or a CSS colour
  bg: string | null;
}

const PLAIN: Style = { bold: false, italic: false, underline: false, fg: null, bg: null };

/** A 256-colour palette index as a class (the 16 themed colours) or a CSS colour. */
function palette(n: number, prefix: "ansi" | "ansi-bg"): string | null {
  if (!Number.isInteger(n) || n < 0 || n > 255) return null;
  if (n < 8) return `${prefix}-${COLORS[n]}`;
  if (n < 16) return `${prefix}-bright-${COLORS[n - 8]}`;
  if (n < 232) {
    const level = (v: number) => (v ? 55 + v * 40 : 0);
    const i = n - 16;
    return `rgb(${level(Math.floor(i / 36))}, ${level(Math.floor(i / 6) % 6)}, ${level(i % 6)})`;
  }
  const gray = 8 + (n - 232) * 10;
  return `rgb(${gray}, ${gray}, ${gray})`;
}

/** Applies one SGR parameter list (the "1;31" of ESC[1;31m) to a style. */
export function applySgr(style: Style, params: string): Style {
  const codes = params ? params.split(/[;:]/).map((c) => (c === "" ? 0 : Number(c))) : [0];
  let next = { ...style };
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    if (code === 0) next = { ...PLAIN };
    else if (code === 1) next.bold = true;
    else if (code === 3) next.italic = true;
    else if (code === 4) next.underline = true;
    else if (code === 22) next.bold = false;
    else if (code === 23) next.italic = false;
    else if (code === 24) next.underline = false;
    else if (code >= 30 && code <= 37) next.fg = `ansi-${COLORS[code - 30]}`;
    else if (code >= 90 && code <= 97) next.fg = `ansi-bright-${COLORS[code - 90]}`;
    else if (code >= 40 && code <= 47) next.bg = `ansi-bg-${COLORS[code - 40]}`;
    else if (code >= 100 && code <= 107) next.bg = `ansi-bg-bright-${COLORS[code - 100]}`;
    else if (code === 39) next.fg = null;
    else if (code === 49) next.bg = null;
    else if (code === 38 || code === 48) {
      // Extended colours: 38;5;N (palette) or 38;2;R;G;B (true colour). Their
      // arguments are consumed here so that, say, the 31 of 38;5;31 is not read as red.
      let colour: string | null = null;
      if (codes[i + 1] === 5) {
        colour = palette(codes[i + 2]!, code === 38 ? "ansi" : "ansi-bg");
        i += 2;
      } else if (codes[i + 1] === 2) {
        const [r, g, b] = codes.slice(i + 2, i + 5).map((v) => Math.min(255, Math.max(0, v || 0)));
        colour = `rgb(${r}, ${g}, ${b})`;
        i += 4;
      }
      if (code === 38) next.fg = colour;
      else next.bg = colour;
    }
  }
  return next;
}

function styled(text: string, style: Style): Node {
  if (!style.bold && !style.italic && !style.underline && !style.fg && !style.bg) {
    return document.createTextNode(text);
  }
  const span = document.createElement("span");
  const classes: string[] = [];
  if (style.bold) classes.push("ansi-bold");
  if (style.italic) classes.push("ansi-italic");
  if (style.underline) classes.push("ansi-underline");
  for (const [value, prop] of [
    [style.fg, "color"],
    [style.bg, "backgroundColor"],
  ] as const) {
    if (!value) continue;
    if (value.startsWith("ansi")) classes.push(value);
    else span.style[prop] = value;
  }
  if (classes.length) span.className = classes.join(" ");
  span.textContent = text;
  return span;
}

export type { Style };
export { PLAIN };

const SGR = /\x1b\[([0-9;:]*)m/g;

/** Render text with ANSI SGR styles into DOM nodes (the text is never parsed as HTML),
 * starting in `start` (the style a previous chunk ended in). */
export function ansiToNodes(text: string, start: Style = PLAIN): Node[] {
  const nodes: Node[] = [];
  if (!text.includes("\x1b")) {
    if (text) nodes.push(styled(text, start));
    return nodes;
  }
  const sgr = new RegExp(SGR.source, "g");
  let style = start;
  let last = 0;
  const push = (chunk: string) => {
    const clean = stripAnsi(chunk);
    if (clean) nodes.push(styled(clean, style));
  };
  for (let m = sgr.exec(text); m; m = sgr.exec(text)) {
    push(text.slice(last, m.index));
    last = m.index + m[0].length;
    style = applySgr(style, m[1]!);
  }
  push(text.slice(last));
  return nodes;
}

/** The style in force after `text`, starting from `start`: lets a long output be
 * rendered in pieces (head, tail, new lines) that each start in the right colour. */
export function styleAfter(text: string, start: Style): Style {
  if (!text.includes("\x1b[")) return start;
  const sgr = new RegExp(SGR.source, "g");
  let style = start;
  for (let m = sgr.exec(text); m; m = sgr.exec(text)) style = applySgr(style, m[1]!);
  return style;
}
