// @vitest-environment jsdom
// The stand-in heights of off-screen cells at open (lazy-cells.ts): close to what Chromium
// lays out (measured: a one-line cell 76 px, the bench's 10 KB-output cell ~3064 px), and
// settling around a cell takes the lazy state off it and a screenful of neighbours.
import { describe, expect, it } from "vitest";

import type { Cell } from "../src/model";
import { estimateHeight, LazyCells } from "../src/views/notebook/lazy-cells";

const code = (source: string, outputs: Cell["outputs"] = []): Cell => ({
  id: "c",
  cell_type: "code",
  source,
  metadata: {},
  outputs,
  execution_count: null,
  extra: {},
});

describe("estimateHeight", () => {
  it("gives a short cell the gutter's height", () => {
    expect(estimateHeight(code("1+1"))).toBe(76);
  });

  it("counts source lines and stream lines", () => {
    const text = Array.from({ length: 175 }, (_, i) => `line ${i}\n`).join("");
    const cell = code("a\nb\nc", [{ output_type: "stream", name: "stdout", text }]);
    expect(estimateHeight(cell)).toBe(Math.round(38 + 3 * 15.6 + 175 * 17 + 4));
  });

  it("counts a stream given as a list of lines, and images", () => {
    const cell = code("x", [
      { output_type: "stream", name: "stdout", text: ["a\n", "b\n"] },
      { output_type: "display_data", data: { "image/png": "..." }, metadata: {} },
    ]);
    expect(estimateHeight(cell)).toBe(Math.round(38 + 15.6 + 300 + 2 * 17 + 4));
  });
});

describe("LazyCells.settleAround", () => {
  it("settles the cell and neighbours up to a screen away, not the rest", () => {
    const list = document.createElement("div");
    const cells = Array.from({ length: 40 }, () => document.createElement("section"));
    const lazy = new LazyCells(list);
    for (const el of cells) {
      lazy.mark(el, code("1+1")); // 76 px each
      list.append(el);
    }
    window.innerHeight = 300;
    lazy.settleAround(cells[20]!);
    const settled = cells.map((el) => !el.classList.contains("lazy-layout"));
    expect(settled.filter(Boolean).length).toBe(9); // 20, and 4 on each side (4 × 76 ≥ 300)
    expect(settled[20]).toBe(true);
    expect(settled[15]).toBe(false);
    expect(settled[25]).toBe(false);
    lazy.stop();
  });
});
