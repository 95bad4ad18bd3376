// @vitest-environment jsdom
import { describe, expect, it } from "vitest";

import { ansiToNodes, applyCarriageReturns, stripAnsi } from "../src/ansi";

function html(text: string): string {
  const div = document.createElement("div");
  div.append(...ansiToNodes(text));
  return div.innerHTML;
}

describe("terminal text", () => {
  it("applies carriage returns like tqdm's progress lines need", () => {
    expect(applyCarriageReturns("10%\r50%\r100%\ndone")).toBe("100%\ndone");
    expect(applyCarriageReturns("abcdef\rXY")).toBe("XYcdef");
    expect(applyCarriageReturns("line\r\nnext")).toBe("line\nnext");
    expect(applyCarriageReturns("abc\x08\x08d")).toBe("ad");
  });

  it("turns colour codes into classed spans and never parses HTML", () => {
    const nodes = ansiToNodes("\x1b[31mred <b>x</b>\x1b[0m plain");
    const span = nodes[0] as HTMLElement;
    expect(span.className).toBe("ansi-red");
    expect(span.textContent).toBe("red <b>x</b>");
    expect(span.children.length).toBe(0);
    expect(nodes[1]!.textContent).toBe(" plain");
  });

  it("strips every kind of escape sequence", () => {
    expect(stripAnsi("\x1b[1;32mok\x1b[0m")).toBe("ok");
    expect(stripAnsi("a\x1b[2Kb\x1b[1Ac")).toBe("abc");
    expect(stripAnsi("\x1b]8;;https://x.example\x1b\\link\x1b]8;;\x1b\\")).toBe("link");
    expect(stripAnsi("\x1b]0;title\x07text")).toBe("text");
  });

  it("renders an IPython 9 traceback without leftover escape codes", () => {
    const tb =
      "\x1b[91m---------\x1b[39m\n\x1b[91mZeroDivisionError\x1b[39m   Traceback\n" +
      "\x1b[96mCell \x1b[39m\x1b[32mIn[1]\x1b[39m\n\x1b[91mZeroDivisionError\x1b[39m: division by zero";
    const div = document.createElement("div");
    div.append(...ansiToNodes(tb));
    expect(div.textContent).toBe(stripAnsi(tb));
    expect(div.textContent).not.toContain("\x1b");
    expect(div.querySelector(".ansi-bright-red")?.textContent).toBe("---------");
    expect(div.querySelector(".ansi-bright-cyan")?.textContent).toBe("Cell ");
  });

  it("keeps bold across colour changes and resets with 22, 39 and 0", () => {
    expect(html("\x1b[1mA\x1b[32mB\x1b[22mC\x1b[39mD")).toBe(
      '<span class="ansi-bold">A</span><span class="ansi-bold ansi-green">B</span>' +
        '<span class="ansi-green">C</span>D',
    );
    expect(html("\x1b[41;97mX\x1b[mY")).toBe('<span class="ansi-bright-white ansi-bg-red">X</span>Y');
  });

  it("reads 256-colour and true-colour arguments as colours, not as further codes", () => {
    // The 31 in 38;5;31 is a palette index, not "red".
    expect(html("\x1b[38;5;31mA")).toBe('<span style="color: rgb(0, 135, 175);">A</span>');
    expect(html("\x1b[38;5;9mB")).toBe('<span class="ansi-bright-red">B</span>');
    expect(html("\x1b[38;5;244mC")).toBe('<span style="color: rgb(128, 128, 128);">C</span>');
    expect(html("\x1b[48;2;10;20;30;1mD")).toBe(
      '<span style="background-color: rgb(10, 20, 30);" class="ansi-bold">D</span>',
    );
  });
});
