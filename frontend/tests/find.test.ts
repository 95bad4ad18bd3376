import { describe, expect, it } from "vitest";

import { compile, findMatches, replaceAllChanges, replacementAt } from "../src/find/search";

const re = (query: string, caseSensitive = false, regex = false) => {
  const c = compile({ query, caseSensitive, regex });
  if (!c || !("re" in c)) throw new Error("no regexp");
  return c.re;
};

describe("find", () => {
  it("finds plain text, case-insensitively unless asked", () => {
    expect(findMatches("Total total", re("total"))).toEqual([
      { from: 0, to: 5 },
      { from: 6, to: 11 },
    ]);
    expect(findMatches("Total total", re("total", true))).toEqual([{ from: 6, to: 11 }]);
  });

  it("treats regex characters literally without the regex toggle", () => {
    expect(findMatches("a.b axb (x)", re("a.b"))).toEqual([{ from: 0, to: 3 }]);
    expect(findMatches("f(x)", re("(x)"))).toEqual([{ from: 1, to: 4 }]);
  });

  it("anchors ^ and $ at lines, skips empty matches, reports bad patterns", () => {
    expect(findMatches("a = 1\nb = 2", re("^\\w", false, true))).toEqual([
      { from: 0, to: 1 },
      { from: 6, to: 7 },
    ]);
    expect(findMatches("abc", re("x*", false, true))).toEqual([]);
    expect(compile({ query: "(", caseSensitive: false, regex: true })).toHaveProperty("error");
    expect(compile({ query: "", caseSensitive: false, regex: true })).toBeNull();
  });
});

describe("replace", () => {
  it("expands groups with regex and inserts literally without", () => {
    const text = "x = 1\ny = 2";
    const r = re("(\\w) = (\\d)", false, true);
    expect(replacementAt(text, { from: 6, to: 11 }, r, "$2 -> $1 ($&) $$", true)).toBe(
      "2 -> y (y = 2) $",
    );
    expect(replacementAt(text, { from: 0, to: 5 }, r, "$1", false)).toBe("$1");
    const named = re("(?<name>\\w) =", false, true);
    expect(replacementAt(text, { from: 0, to: 3 }, named, "$<name>:", true)).toBe("x:");
  });

  it("replaces every match in one set of changes", () => {
    const changes = replaceAllChanges("total + Total", re("total"), "n", false);
    expect(changes).toEqual([
      { from: 0, to: 5, insert: "n" },
      { from: 8, to: 13, insert: "n" },
    ]);
  });
});
