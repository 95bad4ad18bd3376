// Colab's `google.colab.syntax.html/javascript/sql/css(s)` return `s` unchanged; their
// point is the editor: the string literal passed to them is highlighted in that language.
// The Python parser is wrapped so such a string's contents (without prefix and quotes,
// and without an f-string's {replacements}) get a nested tree mounted as an overlay:
// the quotes keep the string colour, the contents get the embedded language's.
// Callees recognised: `syntax.X`, `colab.syntax.X`, `google.colab.syntax.X`; a bare `X`
// is not (`html(...)` is too common a name to guess its origin).
import { cssLanguage } from "@codemirror/lang-css";
import { htmlLanguage } from "@codemirror/lang-html";
import { javascriptLanguage } from "@codemirror/lang-javascript";
import { python, pythonLanguage } from "@codemirror/lang-python";
import { StandardSQL } from "@codemirror/lang-sql";
import { LanguageSupport } from "@codemirror/language";
import { type Input, type Parser, parseMixed, type SyntaxNode } from "@lezer/common";

const parsers: Record<string, Parser> = {
  html: htmlLanguage.parser,
  javascript: javascriptLanguage.parser,
  sql: StandardSQL.language.parser,
  css: cssLanguage.parser,
};

const CALLEE = /^(?:(?:google\.)?colab\.)?syntax\.(html|javascript|sql|css)$/;
const OPENING = /^[a-zA-Z]*('''|"""|'|")/;

/** The embedded language named by the call whose first argument is `str`, if any. */
function embeddedParser(str: SyntaxNode, input: Input): Parser | null {
  const args = str.parent;
  const call = args?.parent;
  if (args?.name !== "ArgList" || call?.name !== "CallExpression") return null;
  if (str.prevSibling && str.prevSibling.name !== "(") return null;
  const callee = call.firstChild;
  if (!callee || callee.name !== "MemberExpression") return null;
  const name = input.read(callee.from, callee.to).replace(/\s+/g, "");
  const match = CALLEE.exec(name);
  return match ? parsers[match[1]] : null;
}

/** The string's contents: after prefix and opening quote, before the closing quote,
 * minus an f-string's replacement fields. */
function contentRanges(str: SyntaxNode, input: Input): { from: number; to: number }[] {
  const text = input.read(str.from, str.to);
  const open = OPENING.exec(text);
  if (!open) return [];
  const quote = open[1];
  const from = str.from + open[0].length;
  const closed = text.length >= open[0].length + quote.length && text.endsWith(quote);
  const to = closed ? str.to - quote.length : str.to;
  const ranges: { from: number; to: number }[] = [];
  let pos = from;
  for (let child = str.firstChild; child; child = child.nextSibling) {
    if (child.name !== "FormatReplacement") continue;
    if (child.from > pos) ranges.push({ from: pos, to: child.from });
    pos = child.to;
  }
  if (to > pos) ranges.push({ from: pos, to });
  return ranges;
}

const wrap = parseMixed((ref, input) => {
  if (ref.name !== "String" && ref.name !== "FormatString") return null;
  const parser = embeddedParser(ref.node, input);
  if (!parser) return null;
  const overlay = contentRanges(ref.node, input);
  return overlay.length ? { parser, overlay } : null;
});

/** Python with Colab's embedded-syntax strings; used by the editor and its static copy. */
export const colabPythonLanguage = pythonLanguage.configure({ wrap });

/** `python()` (its completion sources included) over `colabPythonLanguage`. */
export function colabPython(): LanguageSupport {
  return new LanguageSupport(colabPythonLanguage, python().support);
}
