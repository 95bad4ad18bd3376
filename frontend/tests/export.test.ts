// The shared corpus (tests/export/): pytest checks nbconvert writes corpus.py from
// corpus.ipynb; here our exporter must write the same bytes.
import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import { ipythonToPython, notebookToPython, pyRepr } from "../src/export/python";

const read = (name: string) =>
  readFileSync(new URL(`../../tests/export/${name}`, import.meta.url), "utf-8");

describe("notebookToPython", () => {
  it("writes what nbconvert writes for the corpus", () => {
    const nb = JSON.parse(read("corpus.ipynb")) as Record<string, unknown>;
    expect(notebookToPython(nb)).toBe(read("corpus.py"));
  });

  it("quotes like Python's repr", () => {
    expect(pyRepr("a")).toBe("'a'");
    expect(pyRepr("it's")).toBe('"it\'s"');
    expect(pyRepr(`"it's"`)).toBe(`'"it\\'s"'`);
    expect(pyRepr("a\\b\n")).toBe("'a\\\\b\\n'");
  });

  it("leaves plain Python alone", () => {
    const code = "def f(x):\n    return x % 2\n\nprint(f(3))";
    expect(ipythonToPython(code)).toBe(code);
  });
});
