// Jupyter counts cursor positions in Unicode code points; JavaScript strings count UTF-16
// units. They differ only after astral characters (emoji, some CJK), so convert both ways.

/** The code-point offset of UTF-16 offset `index` in `text`. */
export function toCodePoint(text: string, index: number): number {
  return Array.from(text.slice(0, index)).length;
}

/** The UTF-16 offset of code-point offset `cp` in `text` (clamped to the text). */
export function fromCodePoint(text: string, cp: number): number {
  let i = 0;
  for (let n = 0; n < cp && i < text.length; n++) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
  }
  return i;
}
