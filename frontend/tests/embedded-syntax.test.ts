// @vitest-environment jsdom
import { NodeProp, type Tree } from "@lezer/common";
import { classHighlighter, highlightCode } from "@lezer/highlight";
import { describe, expect, it } from "vitest";

import { colabPythonLanguage } from "../src/editor/embedded";
import { staticCode } from "../src/views/lazy-editor";

/** Each highlighted piece of `code` as [text, classes]. */
function pieces(code: string): [string, string][] {
  const out: [string, string][] = [];
  highlightCode(
    code,
    colabPythonLanguage.parser.parse(code),
    classHighlighter,
    (text, classes) => out.push([text, classes]),
    () => out.push(["\n", ""]),
  );
  return out;
}

const classesOf = (code: string, text: string) => pieces(code).find(([t]) => t === text)?.[1];

/** Names of the top nodes of the trees mounted in `tree`. */
function mounted(tree: Tree): string[] {
  const names: string[] = [];
  tree.iterate({
    enter(node) {
      const m = node.tree?.prop(NodeProp.mounted);
      if (m) names.push(m.tree.type.name);
    },
  });
  return names;
}

describe("google.colab.syntax strings", () => {
  it("highlights the contents of syntax.sql(...) as SQL", () => {
    const code = 'from google.colab import syntax\nq = syntax.sql("SELECT a FROM t WHERE b = 1")';
    expect(classesOf(code, "SELECT")).toBe("tok-keyword");
    expect(classesOf(code, "WHERE")).toBe("tok-keyword");
    expect(classesOf(code, "1")).toBe("tok-number");
    // The quotes are still Python's string; the embedded text is not.
    const quotes = pieces(code).filter(([t]) => t === '"');
    expect(quotes.map(([, c]) => c)).toEqual(["tok-string", "tok-string"]);
    const tree = colabPythonLanguage.parser.parse(code);
    expect(mounted(tree)).toEqual(["Script"]);
    const sqlStart = code.indexOf("SELECT");
    expect(tree.resolveInner(sqlStart + 1, 1).name).toBe("Keyword");
  });

  it("accepts google.colab.syntax, prefixes and triple quotes", () => {
    const code = 'import google.colab\nq = google.colab.syntax.sql(r"""\nselect * from t\n""")';
    expect(classesOf(code, "select")).toBe("tok-keyword");
    const f = 'q = syntax.sql(f"SELECT {col} FROM t")';
    expect(classesOf(f, "FROM")).toBe("tok-keyword");
    expect(classesOf(f, "col")).toBe("tok-variableName");
  });

  it("highlights HTML, with its script and style", () => {
    const code = "h = syntax.html('<b class=\"x\">hi</b><script>let n = 1</script>')";
    expect(classesOf(code, "b")).toBe("tok-typeName");
    expect(classesOf(code, "class")).toBe("tok-propertyName");
    expect(classesOf(code, "let")).toBe("tok-keyword");
    expect(classesOf(code, "hi")).toBe("");
  });

  it("highlights CSS and JavaScript", () => {
    const css = "c = colab.syntax.css('.box { color: red; }')";
    expect(classesOf(css, "color")).toBe("tok-propertyName");
    expect(classesOf(css, "red")).toBe("tok-atom");
    const js = 'j = syntax.javascript("const x = 2;")';
    expect(classesOf(js, "const")).toBe("tok-keyword");
    expect(classesOf(js, "x")).toBe("tok-variableName tok-definition");
  });

  it("leaves other strings alone", () => {
    for (const code of [
      's = "SELECT a FROM t"',
      'print("SELECT a FROM t")',
      'q = other.sql("SELECT a FROM t")',
      'q = syntax.sql(x, "SELECT a FROM t")[0] + "SELECT"',
    ]) {
      const strings = pieces(code).filter(([t]) => t.includes("SELECT"));
      expect(strings.length, code).toBeGreaterThan(0);
      for (const [, c] of strings) expect(c, code).toBe("tok-string");
    }
    expect(mounted(colabPythonLanguage.parser.parse('print("<b>x</b>")'))).toEqual([]);
  });

  it("the static copy of a cell shows the same highlighting", () => {
    const el = staticCode('q = syntax.sql("SELECT a FROM t")', "python");
    const keywords = [...el.querySelectorAll(".tok-keyword")].map((s) => s.textContent);
    expect(keywords).toEqual(["SELECT", "FROM"]);
    expect(el.textContent).toContain('q = syntax.sql("SELECT a FROM t")');
  });
});
