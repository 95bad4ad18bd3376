// @vitest-environment jsdom
import { describe, expect, it } from "vitest";

import { highlightInto, staticCode } from "../src/views/lazy-editor";

describe("static copy of a cell's code", () => {
  it("has the same lines as the source, highlighted, numbered", () => {
    const source = "# a comment\nfor i in range(3):\n\n    print('x', i)";
    const el = staticCode(source, "python");
    const lines = [...el.querySelectorAll(".cm-line")].map((l) => l.textContent);
    expect(lines).toEqual(["# a comment", "for i in range(3):", "", "    print('x', i)"]);
    expect(el.querySelector(".tok-keyword")?.textContent).toBe("for");
    expect(el.querySelector(".tok-comment")?.textContent).toBe("# a comment");
    expect(el.querySelector(".tok-string")?.textContent).toBe("'x'");
    expect(el.querySelector(".cm-static-gutter")?.textContent).toBe("1\n2\n3\n4");
  });

  it("made plain, has the same lines and numbers, and highlighted later equals one made at once", () => {
    const source = "# a comment\nfor i in range(3):\n\n    print('x', i)\n";
    const plain = staticCode(source, "python", true);
    const at = staticCode(source, "python");
    const lines = (el: HTMLElement) => [...el.querySelectorAll(".cm-line")].map((l) => l.textContent);
    expect(lines(plain)).toEqual(lines(at));
    expect(plain.querySelector(".cm-static-gutter")?.textContent).toBe("1\n2\n3\n4\n5");
    expect(plain.querySelector(".tok-keyword")).toBeNull();
    highlightInto(plain, source, "python");
    expect(plain.outerHTML).toBe(at.outerHTML);
    const html = staticCode("x = '<img src=q onerror=alert(1)>'", "python", true);
    expect(html.querySelector("img")).toBeNull();
  });

  it("never parses the code as HTML", () => {
    const el = staticCode("x = '<img src=q onerror=alert(1)>'", "python");
    expect(el.querySelector("img")).toBeNull();
    expect(el.textContent).toContain("<img src=q onerror=alert(1)>");
  });
});
