// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";

import { onNextFrame } from "../src/views/frame-batch";
import { type Limits, StreamView } from "../src/views/stream-view";

const SMALL: Limits = {
  lines: 50,
  chars: 100_000,
  headLines: 5,
  headChars: 10_000,
  tailLines: 10,
  tailChars: 10_000,
};

const numbers = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `${from + i}\n`).join("");

describe("stream view", () => {
  it("appends new text without touching what is on screen", () => {
    const view = new StreamView("output-stream");
    view.update("a\nb\n");
    const first = view.el.querySelector(".stream-body")!.firstChild;
    view.update("a\nb\nc\n");
    expect(view.el.querySelector(".stream-body")!.firstChild).toBe(first);
    expect(view.el.textContent).toBe("a\nb\nc\n");
  });

  it("redraws only the line being written, \\r split across updates", () => {
    const view = new StreamView("output-stream");
    let text = "start\n 10%";
    view.update(text);
    text += "\r";
    view.update(text);
    text += " 60%";
    view.update(text);
    expect(view.el.textContent).toBe("start\n 60%");
    text += "\r100%\n";
    view.update(text);
    expect(view.el.textContent).toBe("start\n100%\n");
  });

  it("starts over when the text is replaced by a shorter one", () => {
    const view = new StreamView("output-stream");
    view.update("one\ntwo\n");
    view.update("x\n");
    expect(view.el.textContent).toBe("x\n");
  });

  it("cuts long text in view to the first and last lines, with the count hidden", () => {
    const view = new StreamView("output-stream", "out.txt", SMALL);
    view.update(numbers(0, 1000));
    const text = view.el.textContent!;
    expect(text.startsWith("0\n1\n2\n3\n4\n")).toBe(true);
    expect(text.endsWith("998\n999\n")).toBe(true);
    expect(text).not.toContain("\n500\n");
    const note = view.el.querySelector("[data-testid=output-cut]")!.textContent!;
    expect(note).toMatch(/985 of 1,000 lines hidden/);
    expect(view.el.querySelectorAll("[data-testid=output-show-all]").length).toBe(1);
  });

  it("keeps the tail bounded while many small updates arrive", () => {
    const view = new StreamView("output-stream", "out.txt", SMALL);
    let text = "";
    for (let i = 0; i < 2000; i++) {
      text += `${i}\n`;
      view.update(text);
    }
    const body = view.el.querySelector(".stream-body")!;
    const shown = body.textContent!.split("\n").length - 1;
    expect(shown).toBeGreaterThanOrEqual(SMALL.tailLines);
    expect(shown).toBeLessThanOrEqual(3 * SMALL.tailLines);
    expect(body.textContent!.endsWith("1999\n")).toBe(true);
    const note = view.el.querySelector("[data-testid=output-cut]")!.textContent!;
    expect(note).toContain(`${(2000 - 5 - shown).toLocaleString("en-US")} of 2,000 lines hidden`);
  });

  it("shows everything on request and keeps growing, and the full text is kept", () => {
    const view = new StreamView("output-stream", "out.txt", SMALL);
    const text = `\x1b[31mred\x1b[0m\n${numbers(0, 300)}`;
    view.update(text);
    view.showAll();
    expect(view.el.textContent).toBe(`red\n${numbers(0, 300)}`);
    expect(view.el.classList.contains("stream-expanded")).toBe(true);
    view.update(text + "more\n");
    expect(view.el.textContent!.endsWith("299\nmore\n")).toBe(true);
    expect(view.plainText()).toBe(`red\n${numbers(0, 300)}more\n`);
  });

  it("cuts one enormous line too", () => {
    const view = new StreamView("output-stream", "out.txt", SMALL);
    view.update("x".repeat(500_000) + "\n" + "y".repeat(50_000));
    expect(view.el.textContent!.length).toBeLessThan(40_000);
    expect(view.plainText().length).toBe(550_001);
  });
});

describe("paints batched per frame", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("runs a job once per frame however often it is asked for", () => {
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal("requestAnimationFrame", (fn: FrameRequestCallback) => frames.push(fn));
    const key = {};
    let runs = 0;
    let last = -1;
    for (let i = 0; i < 1000; i++) onNextFrame(key, () => ((runs += 1), (last = i)));
    expect(runs).toBe(0);
    expect(frames.length).toBe(1);
    frames.shift()!(0);
    expect([runs, last]).toEqual([1, 999]);
    onNextFrame(key, () => (runs += 1));
    frames.shift()!(16);
    expect(runs).toBe(2);
  });
});
