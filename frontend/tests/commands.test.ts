import { describe, expect, it } from "vitest";

import { ChordMatcher, displayKeys, keyName } from "../src/commands/keys";
import {
  type Command,
  CommandRegistry,
  filterCommands,
  fuzzyScore,
} from "../src/commands/registry";

type Mods = Partial<Record<"ctrl" | "meta" | "alt" | "shift", boolean>>;
const key = (k: string, mods: Mods = {}, code?: string) => ({
  key: k,
  code,
  ctrlKey: !!mods.ctrl,
  metaKey: !!mods.meta,
  altKey: !!mods.alt,
  shiftKey: !!mods.shift,
});

describe("keyName", () => {
  it("names keys the way bindings are written", () => {
    expect(keyName(key("m", { ctrl: true }))).toBe("Ctrl+M");
    expect(keyName(key("m", { meta: true }))).toBe("Ctrl+M");
    expect(keyName(key("P", { ctrl: true, shift: true }))).toBe("Ctrl+Shift+P");
    expect(keyName(key("Enter", { shift: true }))).toBe("Shift+Enter");
    expect(keyName(key("Enter", { alt: true }))).toBe("Alt+Enter");
    expect(keyName(key("F9", { ctrl: true }))).toBe("Ctrl+F9");
    expect(keyName(key("ArrowDown", { shift: true }))).toBe("Shift+Down");
    expect(keyName(key("."))).toBe(".");
    expect(keyName(key("b"))).toBe("B");
  });

  it("ignores lone modifiers and reads Alt+letter from the physical key", () => {
    expect(keyName(key("Control", { ctrl: true }))).toBe("");
    expect(keyName(key("∫", { alt: true }, "KeyB"))).toBe("Alt+B");
  });

  it("keeps Shift out of printed symbols", () => {
    expect(keyName(key(">", { shift: true }))).toBe(">");
  });

  it("displays macOS symbols", () => {
    expect(displayKeys("Ctrl+Shift+P", true)).toBe("⌘⇧P");
    expect(displayKeys("Ctrl+M B")).toBe("Ctrl+M B");
  });
});

describe("ChordMatcher", () => {
  const m = () =>
    new ChordMatcher([
      ["Ctrl+M B", "below"],
      ["Ctrl+M .", "restart"],
      ["Ctrl+Enter", "run"],
    ]);

  it("matches one- and two-step bindings", () => {
    const c = m();
    expect(c.feed("Ctrl+Enter")).toEqual({ kind: "match", id: "run", binding: "Ctrl+Enter" });
    expect(c.feed("Ctrl+M")).toEqual({ kind: "prefix" });
    expect(c.waiting).toBe(true);
    expect(c.feed("")).toEqual({ kind: "prefix" }); // a modifier alone keeps waiting
    expect(c.feed("B")).toEqual({ kind: "match", id: "below", binding: "Ctrl+M B" });
    expect(c.waiting).toBe(false);
  });

  it("accepts the second key with Ctrl still held", () => {
    const c = m();
    c.feed("Ctrl+M");
    expect(c.feed("Ctrl+.")).toMatchObject({ kind: "match", id: "restart" });
  });

  it("forgets an unknown chord", () => {
    const c = m();
    c.feed("Ctrl+M");
    expect(c.feed("Q")).toEqual({ kind: "none" });
    expect(c.feed("B")).toEqual({ kind: "none" });
  });
});

describe("CommandRegistry", () => {
  const make = () => {
    const ran: string[] = [];
    const r = new CommandRegistry();
    const cmd = (id: string, label: string, extra: Partial<Command> = {}): Command => ({
      id,
      label,
      run: () => ran.push(id),
      ...extra,
    });
    r.add(
      cmd("insert-below", "Insert code cell below", { keys: ["Ctrl+M B"] }),
      cmd("undo", "Undo last cell operation", { keys: ["Ctrl+M Z"], enabled: () => false }),
      cmd("next", "Select next cell", { keys: ["Ctrl+M N"], commandKeys: ["Down"] }),
      cmd("run-all", "Run all"),
    );
    return { r, ran };
  };

  it("runs enabled commands only", () => {
    const { r, ran } = make();
    expect(r.run("insert-below")).toBe(true);
    expect(r.run("undo")).toBe(false);
    expect(r.run("missing")).toBe(false);
    expect(ran).toEqual(["insert-below"]);
  });

  it("refuses a duplicate id", () => {
    const { r } = make();
    expect(() => r.add({ id: "run-all", label: "x", run: () => {} })).toThrow();
  });

  it("builds one matcher and knows command-mode-only bindings", () => {
    const { r } = make();
    const m = r.matcher();
    expect(m.feed("Down")).toMatchObject({ id: "next", binding: "Down" });
    expect(r.commandOnly("next", "Down")).toBe(true);
    expect(r.commandOnly("next", "Ctrl+M N")).toBe(false);
  });

  it("filters fuzzily, best first", () => {
    const { r } = make();
    const labels = (q: string) => filterCommands(r.all(), q).map((c) => c.label);
    expect(labels("")).toHaveLength(4);
    expect(labels("ins bel")[0]).toBe("Insert code cell below");
    expect(labels("run")[0]).toBe("Run all");
    expect(labels("zzz")).toEqual([]);
    expect(fuzzyScore("sel", "Insert code cell above")).toBeNull(); // no word starts "s"
    expect(fuzzyScore("mv sel up", "Move selected cells up")).not.toBeNull();
    expect(fuzzyScore("runall", "Run all")).not.toBeNull();
    expect(fuzzyScore("run", "Run all")!).toBeGreaterThan(fuzzyScore("run", "Rerun now")!);
  });
});
