// @vitest-environment jsdom
import { describe, expect, it } from "vitest";

import type { Output } from "../src/model";
import { renderOutput, renderOutputs } from "../src/views/outputs";

describe("output rendering", () => {
  it("shows streams and errors as text, tracebacks without escape codes", () => {
    const stream = renderOutput({ output_type: "stream", name: "stderr", text: "oops <b>\n" });
    expect(stream.querySelector("pre.stream-stderr")?.textContent).toBe("oops <b>\n");
    expect(stream.querySelector("b")).toBeNull();
    const error = renderOutput({
      output_type: "error",
      ename: "ZeroDivisionError",
      evalue: "division by zero",
      traceback: ["\x1b[91mZeroDivisionError\x1b[39m: division by zero"],
    });
    expect(error.textContent).toBe("ZeroDivisionError: division by zero");
  });

  it("shows PNG and JPEG as images and plain text as text", () => {
    const png = renderOutput({ output_type: "display_data", data: { "image/png": "iVBO\nRw==", "text/plain": "<Figure>" }, metadata: {} });
    expect(png.querySelector("img")?.getAttribute("src")).toBe("data:image/png;base64,iVBORw==");
    const jpeg = renderOutput({ output_type: "display_data", data: { "image/jpeg": "/9j/" }, metadata: {} });
    expect(jpeg.querySelector("img")?.getAttribute("src")).toBe("data:image/jpeg;base64,/9j/");
    const text = renderOutput({ output_type: "execute_result", data: { "text/plain": ["'b", "ar'"] }, metadata: {} });
    expect(text.textContent).toBe("'bar'");
  });

  it("never puts HTML into the page: it goes to the cell's sandboxed frame", () => {
    const container = document.createElement("div");
    const html: Output = {
      output_type: "display_data",
      data: { "text/html": "<img src=x onerror=alert(1)><b>hi</b>", "text/plain": "hi" },
      metadata: {},
    };
    renderOutputs(container, [html]);
    expect(container.querySelector("b")).toBeNull();
    expect(container.querySelector("img")).toBeNull();
    const frame = container.querySelector("iframe")!;
    expect(frame.getAttribute("sandbox")).toBe("allow-scripts allow-popups allow-downloads");
    // The HTML travels over the frame's port, never through the page's DOM or srcdoc.
    expect(frame.srcdoc).not.toContain("<b>hi</b>");
  });

  it("keeps the nodes of unchanged outputs when more arrive", () => {
    const container = document.createElement("div");
    const before: Output = { output_type: "stream", name: "stdout", text: "x" };
    const html: Output = { output_type: "display_data", data: { "text/html": "<p>t</p>" }, metadata: {} };
    const stream: Output = { output_type: "stream", name: "stdout", text: "a" };
    renderOutputs(container, [before, html, stream]);
    const frame = container.querySelector("iframe");
    const first = container.firstElementChild;
    expect(container.children.length).toBe(2);
    stream["text"] = "ab";
    renderOutputs(container, [before, html, stream]);
    expect(container.querySelector("iframe")).toBe(frame);
    expect(container.firstElementChild).toBe(first);
    expect(container.textContent).toBe("x");
    // Without active outputs the (now empty) frame stays: scripts may still use it.
    renderOutputs(container, [before, stream]);
    expect(container.querySelector("iframe")).toBe(frame);
    expect(container.textContent).toBe("xab");
  });
});
