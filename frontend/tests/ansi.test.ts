// @vitest-environment jsdom
import { describe, expect, it } from "vitest";

import { ansiToNodes, applyCarriageReturns, stripAnsi } from "../src/ansi";

describe("terminal text", () => {
  it("applies carriage returns like tqdm's progress lines need", () => {
    expect(applyCarriageReturns("10%\r50%\r100%\ndone")).toBe("100%\ndone");
    expect(applyCarriageReturns("abcdef\rXY")).toBe("XYcdef");
    expect(applyCarriageReturns("line\r\nnext")).toBe("line\nnext");
  });

  it("turns colour codes into classed spans and never parses HTML", () => {
    const nodes = ansiToNodes("\x1b[31mred <b>x</b>\x1b[0m plain");
    const span = nodes[0] as HTMLElement;
    expect(span.className).toBe("ansi-red");
    expect(span.textContent).toBe("red <b>x</b>");
    expect(span.children.length).toBe(0);
    expect(nodes[1]!.textContent).toBe(" plain");
    expect(stripAnsi("\x1b[1;32mok\x1b[0m")).toBe("ok");
  });
});
