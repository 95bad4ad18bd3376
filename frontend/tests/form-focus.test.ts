// @vitest-environment jsdom
// A form rebuilt from a source changed elsewhere (another page, the live document) keeps
// the field that has the keyboard: same element, focus and caret; its value follows only
// when the edit changed it.
import { describe, expect, it } from "vitest";

import { CellForm } from "../src/views/form";

const SOURCE = [
  "#@title Settings",
  "name = 'Ada'  #@param {type:\"string\"}",
  'steps = 3  #@param {type:"slider", min:0, max:10, step:1}',
].join("\n");

function form() {
  const sources: string[] = [];
  const f = new CellForm({
    replaceSource: (next) => sources.push(next),
    fieldChanged: () => {},
    setCodeHidden: () => {},
  });
  document.body.replaceChildren(f.el);
  f.render(SOURCE, false);
  const input = (name: string) =>
    f.el.querySelector<HTMLInputElement>(`[data-field="${name}"] input`)!;
  return { f, sources, input };
}

describe("CellForm and a source changed elsewhere", () => {
  it("keeps the focused field, its typing and caret; rewrites its moved line", () => {
    const { f, sources, input } = form();
    const name = input("name");
    name.focus();
    name.value = "Adam";
    name.setSelectionRange(2, 2);
    name.dispatchEvent(new Event("input"));
    expect(sources.at(-1)).toContain("name = 'Adam'");
    // Another page adds a line above it while the field is being typed in.
    f.render(`# a comment\n${sources.at(-1)!}`, false);
    expect(input("name")).toBe(name);
    expect(document.activeElement).toBe(name);
    expect(name.value).toBe("Adam");
    expect(name.selectionStart).toBe(2);
    expect(input("steps")).not.toBeNull();
    name.value = "Adams";
    name.dispatchEvent(new Event("input"));
    expect(sources.at(-1)!.split("\n")[2]).toBe("name = 'Adams'  #@param {type:\"string\"}");
  });

  it("shows a value another page gave the focused field", () => {
    const { f, input } = form();
    const steps = input("steps");
    steps.focus();
    f.render(SOURCE.replace("steps = 3", "steps = 8"), false);
    expect(input("steps")).toBe(steps);
    expect(document.activeElement).toBe(steps);
    expect(steps.value).toBe("8");
  });

  it("rebuilds unfocused fields as before", () => {
    const { f, input } = form();
    const name = input("name");
    f.render(SOURCE.replace("'Ada'", "'Bob'"), false);
    expect(input("name")).not.toBe(name);
    expect(input("name").value).toBe("Bob");
  });
});
