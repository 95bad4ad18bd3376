// @vitest-environment jsdom
// Markdown outputs, the kept input() question, and form fields that keep their element
// (and so the keyboard focus) while they rewrite their line.
import { describe, expect, it } from "vitest";

import { inputEcho } from "../src/colab/stdin-box";
import { type Cell, newCodeCell, OutputAccumulator, type Output } from "../src/model";
import { isActive, preferredMime } from "../src/output-mimes";
import { CellForm } from "../src/views/form";
import { frameCopy } from "../src/views/markdown-output";
import { renderOutput } from "../src/views/outputs";

const md = (text: string, extra: Record<string, unknown> = {}): Output => ({
  output_type: "display_data",
  data: { "text/markdown": text, "text/plain": "<IPython.core.display.Markdown object>", ...extra },
  metadata: {},
});

describe("markdown outputs", () => {
  it("prefers markdown over plain text and images, HTML over markdown; never active", () => {
    expect(preferredMime({ "text/markdown": "", "text/plain": "", "image/png": "" })).toBe(
      "text/markdown",
    );
    expect(preferredMime({ "text/markdown": "", "text/html": "" })).toBe("text/html");
    expect(isActive(md("x"))).toBe(false);
  });

  it("renders markdown with math in the page, links opening elsewhere", () => {
    const el = renderOutput(md("# T\n\n**b** $x^2$ [l](https://example.com)"));
    expect(el.querySelector("h1")?.textContent).toBe("T");
    expect(el.querySelector("strong")?.textContent).toBe("b");
    expect(el.querySelector(".katex")).not.toBeNull();
    const link = el.querySelector("a")!;
    expect(link.getAttribute("target")).toBe("_blank");
    expect(link.getAttribute("rel")).toBe("noopener noreferrer");
    expect(el.textContent).not.toContain("IPython.core.display");
  });

  it("drops scripts, handlers and javascript: links", () => {
    const hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script> [c](javascript:alert(3))';
    const el = renderOutput(md(hostile));
    expect(el.querySelector("script")).toBeNull();
    expect(el.querySelector("img")?.getAttribute("onerror")).toBeNull();
    expect(el.querySelector("a")?.getAttribute("href") ?? null).toBeNull();
    const copy = frameCopy(md(hostile));
    const html = String((copy["data"] as Record<string, unknown>)["text/html"]);
    expect(html).not.toMatch(/onerror|<script|javascript:/);
  });

  it("sends the frame sanitised HTML with MathML, the same object for the same data", () => {
    const out = md("**f** $y$");
    const copy = frameCopy(out);
    const html = String((copy["data"] as Record<string, unknown>)["text/html"]);
    expect(html).toContain("<strong>f</strong>");
    expect(html).toContain("<math");
    expect(html).not.toContain("katex-html");
    expect(frameCopy(out)).toBe(copy);
    const plain: Output = { output_type: "display_data", data: { "text/html": "<b>" }, metadata: {} };
    expect(frameCopy(plain)).toBe(plain);
  });
});

describe("input() answers", () => {
  it("stay in the output as stdout, a password's answer never", () => {
    const cell: Cell = newCodeCell();
    const acc = new OutputAccumulator(cell);
    acc.add(inputEcho("Name? ", "Alice", false));
    acc.add(inputEcho("Password: ", "hunter2", true));
    expect(cell.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "Name? Alice\nPassword: \n" }]);
  });
});

describe("form fields", () => {
  const SOURCE = 'n = 1  #@param {type:"slider", min:0, max:5}\nname = "a"  #@param {type:"string"}';

  function mount() {
    const state = { source: SOURCE, runs: 0 };
    const form: CellForm = new CellForm({
      replaceSource: (next) => {
        state.source = next;
        form.render(next, false); // the editor's update listener repaints the form
      },
      fieldChanged: (auto) => void (auto && state.runs++),
      setCodeHidden: () => {},
    });
    form.render(SOURCE, false);
    document.body.replaceChildren(form.el);
    return { form, state };
  }

  it("keep their element while their own rewrite comes back; other edits rebuild", () => {
    const { form, state } = mount();
    const slider = form.el.querySelector<HTMLInputElement>('input[type="range"]')!;
    slider.value = "3";
    slider.dispatchEvent(new Event("change"));
    expect(state.source.split("\n")[0]).toBe('n = 3  #@param {type:"slider", min:0, max:5}');
    expect(form.el.contains(slider)).toBe(true);
    form.render(state.source.replace("n = 3", "n = 4"), false);
    expect(form.el.contains(slider)).toBe(false);
  });

  it("rewrite a text field's line on each input event", () => {
    const { form, state } = mount();
    const text = form.el.querySelector<HTMLInputElement>('input[name="name"]')!;
    text.value = "ab";
    text.dispatchEvent(new Event("input"));
    expect(state.source.split("\n")[1]).toBe("name = \"ab\"  #@param {type:\"string\"}");
    expect(form.el.contains(text)).toBe(true);
  });
});
