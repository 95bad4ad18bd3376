import { describe, expect, it } from "vitest";

import { fromCodePoint, toCodePoint } from "../src/assist/codepoints";
import {
  afterAttributeDot,
  completionsFromReply,
  inspectText,
  wantsCompletion,
} from "../src/assist/complete";

describe("code points", () => {
  it("match UTF-16 offsets for plain text and differ after astral characters", () => {
    expect(toCodePoint("abc", 2)).toBe(2);
    const text = "s = '😀'\ns.up";
    expect(text.length).toBe(13);
    expect(toCodePoint(text, text.length)).toBe(12);
    expect(fromCodePoint(text, 12)).toBe(13);
    expect(fromCodePoint(text, 100)).toBe(13);
  });
});

describe("complete_reply", () => {
  it("replaces from cursor_start and carries the kernel's types", () => {
    const code = "import os\nos.pa";
    const got = completionsFromReply(code, {
      status: "ok",
      matches: ["pardir", "path", "_private"],
      cursor_start: 13,
      cursor_end: 15,
      metadata: {
        _jupyter_types_experimental: [
          { text: "pardir", type: "instance", signature: "" },
          { text: "path", type: "module", signature: "" },
          { text: "_private", type: "<unknown>" },
        ],
      },
    });
    expect(got).toEqual({
      from: 13,
      to: 15,
      items: [
        { label: "pardir", type: "variable", detail: "instance" },
        { label: "path", type: "namespace", detail: "module" },
        { label: "_private", boost: -1 },
      ],
    });
  });

  it("counts positions in code points and shows signatures", () => {
    const code = "x = '😀'; os.ge";
    const got = completionsFromReply(code, {
      status: "ok",
      matches: ["getcwd"],
      cursor_start: 12,
      cursor_end: 14,
      metadata: {
        _jupyter_types_experimental: [{ text: "getcwd", type: "function", signature: "()" }],
      },
    });
    expect(got?.from).toBe(13);
    expect(got?.to).toBe(15);
    expect(got?.items[0]).toEqual({
      label: "getcwd",
      type: "function",
      detail: "function",
      info: "getcwd()",
    });
  });

  it("offers nothing on errors or no matches", () => {
    expect(completionsFromReply("x", { status: "error" })).toBeNull();
    expect(completionsFromReply("x", { status: "ok", matches: [] })).toBeNull();
  });
});

describe("inspect_reply", () => {
  it("is plain text without ANSI codes", () => {
    const text = inspectText({
      status: "ok",
      found: true,
      data: { "text/plain": "\x1b[0;31mSignature:\x1b[0m len(obj, /)\n" },
    });
    expect(text).toBe("Signature: len(obj, /)");
    expect(inspectText({ status: "ok", found: false, data: {} })).toBeNull();
  });
});

describe("when to ask", () => {
  it("Tab completes after a name or dot, not after space", () => {
    expect(wantsCompletion("os.pa")).toBe(true);
    expect(wantsCompletion("os.")).toBe(true);
    expect(wantsCompletion("open('/content/")).toBe(true);
    expect(wantsCompletion("x = ")).toBe(false);
    expect(wantsCompletion("")).toBe(false);
  });

  it("typing opens completions after an attribute dot only", () => {
    expect(afterAttributeDot("os.")).toBe(true);
    expect(afterAttributeDot("df.gr")).toBe(true);
    expect(afterAttributeDot("f(x).")).toBe(true);
    expect(afterAttributeDot("x1.")).toBe(true);
    expect(afterAttributeDot("1.")).toBe(false);
    expect(afterAttributeDot("x = 3.1")).toBe(false);
    expect(afterAttributeDot("# see os.")).toBe(false);
    expect(afterAttributeDot("os")).toBe(false);
  });
});
