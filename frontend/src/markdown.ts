// Markdown with $…$ / $$…$$ math to sanitized HTML (for #@markdown lines and, later,
// text cells). Math is cut out before markdown sees it, so `_` and `*` inside
// formulas are not read as emphasis; the final HTML goes through DOMPurify.
import "katex/dist/katex.min.css";

import DOMPurify from "dompurify";
import katex from "katex";
import { marked } from "marked";

const MATH = /\$\$([\s\S]+?)\$\$|(?<![\\$])\$(?!\s)((?:\\\$|[^$\n])+?)(?<!\s)\$/g;

/** `math: "mathml"` is for documents without KaTeX's CSS (the output frame). */
export function renderMarkdown(
  source: string,
  inline = false,
  math: "htmlAndMathml" | "mathml" = "htmlAndMathml",
): string {
  const formulas: string[] = [];
  const protectedSource = source.replace(MATH, (_m, display: string | undefined, text: string) => {
    const html = katex.renderToString(display ?? text, {
      displayMode: display !== undefined,
      throwOnError: false,
      output: math,
    });
    formulas.push(html);
    return `\u0000MATH${formulas.length - 1}\u0000`;
  });
  const parsed = inline
    ? (marked.parseInline(protectedSource, { async: false }) as string)
    : (marked.parse(protectedSource, { async: false }) as string);
  const withMath = parsed.replace(/\u0000MATH(\d+)\u0000/g, (_m, i: string) => formulas[+i] ?? "");
  return DOMPurify.sanitize(withMath, { ADD_ATTR: ["target"] });
}
