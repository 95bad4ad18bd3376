// @vitest-environment jsdom
import { describe, expect, it } from "vitest";

import { invokeCode } from "../src/colab/frame-services";
import { splitLatex } from "../src/frame/latex";
import { appendStream, renderInto } from "../src/frame/renderers";
import type { Output } from "../src/model";
import { isActive, preferredMime } from "../src/output-mimes";
import { OutputFrame, splitOutputs, srcdoc } from "../src/views/output-frame";

const html = (s: string): Output => ({ output_type: "display_data", data: { "text/html": s }, metadata: {} });
const stream = (s: string): Output => ({ output_type: "stream", name: "stdout", text: s });

describe("output frame", () => {
  it("keeps outputs before the first active one in the page, the rest in the frame", () => {
    const a = stream("a");
    const h1 = html("<b>1</b>");
    const b = stream("b");
    const png: Output = { output_type: "display_data", data: { "image/png": "x" }, metadata: {} };
    expect(splitOutputs([a, png])).toEqual([[a, png], []]);
    expect(splitOutputs([a, h1, b, png])).toEqual([[a], [h1, b, png]]);
  });

  it("treats HTML, SVG, JavaScript and LaTeX as active, images and text not", () => {
    const active = (data: Record<string, unknown>) => isActive({ output_type: "display_data", data });
    expect(active({ "text/html": "", "image/png": "" })).toBe(true);
    expect(active({ "image/svg+xml": "" })).toBe(true);
    expect(active({ "application/javascript": "" })).toBe(true);
    expect(active({ "text/latex": "$x$" })).toBe(true);
    expect(active({ "image/png": "", "text/plain": "" })).toBe(false);
    expect(isActive({ output_type: "stream", text: "<b>" })).toBe(false);
    expect(preferredMime({ "text/plain": "", "text/html": "" })).toBe("text/html");
  });

  it("sends only what changed: new outputs, updates, removals and clears", () => {
    const frame = new OutputFrame(false);
    const log: string[] = [];
    frame.post = (kind, payload = {}) => {
      log.push(`${kind}:${String(payload["id"] ?? "")}:${String(payload["before"] ?? "")}`);
    };
    const h1 = html("1");
    const s = stream("a");
    frame.render([h1]);
    frame.render([h1, s]);
    s["text"] = "ab";
    frame.render([h1, s]);
    h1["data"] = { "text/html": "2" };
    frame.render([h1, s]);
    frame.render([s]);
    frame.render([]);
    const ids = log.map((l) => l.split(":")[1]);
    expect(log.map((l) => l.split(":")[0])).toEqual([
      "output-add",
      "output-add",
      "output-append",
      "output-update",
      "output-remove",
      "output-clear",
    ]);
    expect(ids[2]).toBe(ids[1]); // the stream
    expect(ids[3]).toBe(ids[0]); // the HTML
    expect(ids[4]).toBe(ids[0]);
    frame.dispose();
  });

  it("loads the frame bundle as a classic script, links opening in a new tab", () => {
    const doc = srcdoc('/static/frame-X.js"><script>');
    expect(doc).toContain('<script src="/static/frame-X.js&quot;>&lt;script>"></script>');
    expect(doc).toContain('<base target="_blank">');
    expect(doc).not.toContain("type=\"module\"");
  });

  it("builds the invokeFunction call with the arguments as JSON string literals", () => {
    expect(invokeCode("cb", [1, "x'\""], { k: null })).toBe(
      "__import__('google.colab.output._js', fromlist=['_'])._invoke_function(" +
        '"cb", "[1,\\"x\'\\\\\\"\\"]", "{\\"k\\":null}")',
    );
  });

  it("splits LaTeX text into formulas and plain text", () => {
    expect(splitLatex("$$x^2$$")).toEqual([{ text: "x^2", math: true, display: true }]);
    expect(splitLatex("a $b$ c")).toEqual([
      { text: "a ", math: false, display: false },
      { text: "b", math: true, display: false },
      { text: " c", math: false, display: false },
    ]);
    const env = splitLatex("\\begin{align}a&=b\\end{align}");
    expect(env).toEqual([{ text: "\\begin{align}a&=b\\end{align}", math: true, display: true }]);
    expect(splitLatex("\\(y\\)")[0]).toEqual({ text: "y", math: true, display: false });
  });
});

describe("frame renderers", () => {
  it("appends to streams, re-rendering when a carriage return rewrites the line", async () => {
    const el = document.createElement("div");
    await renderInto({ output_type: "stream", name: "stdout", text: "a\n" }, el);
    const pre = el.querySelector("pre");
    appendStream(el, "b\n");
    expect(el.querySelector("pre")).toBe(pre);
    expect(el.textContent).toBe("a\nb\n");
    appendStream(el, "50%\r");
    appendStream(el, "99%");
    expect(el.textContent).toBe("a\nb\n99%");
    expect(el.querySelector("pre.stream-stdout")).not.toBeNull();
  });
});
