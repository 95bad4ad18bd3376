import { describe, expect, it } from "vitest";

import { applyCarriageReturns } from "../src/ansi";
import { TerminalText } from "../src/terminal";

function feed(...chunks: string[]): TerminalText {
  const t = new TerminalText();
  for (const c of chunks) t.write(c);
  return t;
}

describe("terminal text built chunk by chunk", () => {
  it("gives what the whole text gives, however it is split", () => {
    const samples = [
      "10%\r50%\r100%\ndone",
      "abcdef\rXY",
      "line\r\nnext\r\n",
      "abc\x08\x08d",
      " 0%|          | 0/3\r 33%|###       | 1/3\r100%|##########| 3/3\n",
      "\x1b[31mred\x1b[0m\rab\nplain\n",
    ];
    for (const text of samples) {
      const whole = feed(text).text();
      expect(whole).toBe(applyCarriageReturns(text));
      // every split point, and one character at a time
      for (let i = 0; i <= text.length; i++) {
        expect(feed(text.slice(0, i), text.slice(i)).text()).toBe(whole);
      }
      expect(feed(...text.split("")).text()).toBe(whole);
    }
  });

  it("keeps the cursor across chunks: text after \\r overwrites from the start", () => {
    const t = feed("abcdef", "\r", "XY", "Z");
    expect(t.current).toBe("XYZdef");
    t.write("\n");
    expect(t.lines).toEqual(["XYZdef"]);
    expect(t.current).toBe("");
  });

  it("a \\r at the end of a chunk and \\n at the start of the next keep the line", () => {
    const t = feed("50%\r", "\nnext");
    expect(t.lines).toEqual(["50%"]);
    expect(t.current).toBe("next");
  });

  it("never changes finished lines and counts their characters", () => {
    const t = feed("a\nbb\n", "ccc");
    expect(t.lines).toEqual(["a", "bb"]);
    expect(t.finishedChars).toBe(5);
    t.write("\rX\n");
    expect(t.lines).toEqual(["a", "bb", "Xcc"]);
  });

  it("remembers the colour a line starts in", () => {
    const t = feed("\x1b[32mgreen\n", "still green\x1b[0m\n", "plain\n");
    expect(t.styleAt(0).fg).toBeNull();
    expect(t.styleAt(1).fg).toBe("ansi-green");
    expect(t.styleAt(2).fg).toBeNull();
  });

  it("takes 100,000 one-line chunks", () => {
    const t = new TerminalText();
    for (let i = 0; i < 100_000; i++) t.write(`${i}\n`);
    expect(t.lines.length).toBe(100_000);
    expect(t.lines[99_999]).toBe("99999");
    expect(t.text().length).toBe(588_890);
  });
});
