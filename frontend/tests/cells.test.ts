import { describe, expect, it } from "vitest";

import { parseCells, serializeCells } from "../src/cells/clipboard";
import {
  describeExecution,
  formatElapsed,
  makeExecutionInfo,
  readExecutionInfo,
} from "../src/cells/exec-info";
import { CellSelection } from "../src/cells/selection";
import { UndoStack } from "../src/cells/undo";
import { newCodeCell, newMarkdownCell } from "../src/model";

const ORDER = ["a", "b", "c", "d", "e"];

describe("CellSelection", () => {
  it("is the current cell alone until extended", () => {
    const s = new CellSelection();
    expect(s.selected(ORDER)).toEqual([]);
    s.setCurrent("b");
    expect(s.selected(ORDER)).toEqual(["b"]);
    s.extendTo("d");
    expect(s.selected(ORDER)).toEqual(["b", "c", "d"]);
    s.extendTo("a"); // back past the anchor
    expect(s.selected(ORDER)).toEqual(["a", "b"]);
    s.setCurrent("e");
    expect(s.selected(ORDER)).toEqual(["e"]);
  });

  it("selects all and steps with clamping", () => {
    const s = new CellSelection();
    s.selectAll(ORDER);
    expect(s.selected(ORDER)).toEqual(ORDER);
    expect(s.current).toBe("e");
    expect(s.neighbour(ORDER, 1)).toBe("e");
    expect(s.neighbour(ORDER, -1)).toBe("d");
    s.setCurrent("a");
    expect(s.neighbour(ORDER, -1)).toBe("a");
  });

  it("repairs itself after cells went away", () => {
    const s = new CellSelection();
    s.setCurrent("c");
    s.repair(["a", "b", "d"], 2);
    expect(s.current).toBe("d");
    s.setCurrent("b");
    s.extendTo("d");
    s.repair(["c", "d"], 0); // the anchor is gone: the current cell alone
    expect(s.selected(["c", "d"])).toEqual(["d"]);
    s.repair([], 0);
    expect(s.current).toBeNull();
  });
});

describe("UndoStack", () => {
  it("undoes and redoes in order; a new push clears redo", () => {
    const u = new UndoStack<number>();
    expect(u.undo(0)).toBeUndefined();
    u.push(1);
    u.push(2);
    expect(u.undo(3)).toBe(2);
    expect(u.canRedo).toBe(true);
    expect(u.redo(2)).toBe(3);
    expect(u.undo(3)).toBe(2);
    expect(u.undo(2)).toBe(1);
    expect(u.canUndo).toBe(false);
    u.push(5);
    expect(u.canRedo).toBe(false);
  });

  it("keeps at most `limit` states", () => {
    const u = new UndoStack<number>(2);
    [1, 2, 3].forEach((n) => u.push(n));
    expect(u.undo(9)).toBe(3);
    expect(u.undo(3)).toBe(2);
    expect(u.undo(2)).toBeUndefined();
  });
});

describe("executionInfo", () => {
  it("is written as Colab writes it", () => {
    const info = makeExecutionInfo(1_000, 3_456.4, true, { name: "alice", id: 7 });
    expect(info).toEqual({
      elapsed: 2456,
      status: "ok",
      timestamp: 3456,
      user_tz: new Date(3456).getTimezoneOffset(),
      user: { displayName: "alice", userId: "7" },
    });
    expect(makeExecutionInfo(0, 10, false).status).toBe("error");
  });

  it("reads only well-formed records", () => {
    expect(readExecutionInfo({})).toBeNull();
    expect(readExecutionInfo({ executionInfo: { elapsed: "1" } })).toBeNull();
    const colab = { elapsed: 5820, status: "ok", timestamp: 1722608125960, user_tz: -330 };
    expect(readExecutionInfo({ executionInfo: colab })).toEqual(colab);
  });

  it("formats the gutter time and the tooltip", () => {
    expect(formatElapsed(400)).toBe("0s");
    expect(formatElapsed(42_900)).toBe("42s");
    expect(formatElapsed(185_000)).toBe("3m 5s");
    expect(formatElapsed(3_720_000)).toBe("1h 2m");
    const finished = Date.UTC(2026, 0, 1, 14, 3, 5);
    const info = makeExecutionInfo(0, finished, true, { name: "bo", id: 1 });
    const text = describeExecution(info, "en-GB");
    expect(text).toMatch(/^executed by bo\ncompleted at \d\d:\d\d:\d\d\ntook /);
  });
});

describe("cell clipboard", () => {
  it("round-trips cells with new ids and keeps outputs", () => {
    const code = newCodeCell("print(1)");
    code.outputs = [{ output_type: "stream", name: "stdout", text: "1\n" }];
    code.execution_count = 4;
    code.metadata = { id: "colab-id", executionInfo: { elapsed: 1 } };
    const text = newMarkdownCell("# Hi");
    const payload = serializeCells([code, text]);
    expect(payload.text).toBe("print(1)\n\n# Hi");
    const back = parseCells(payload.json);
    expect(back.map((c) => [c.cell_type, c.source])).toEqual([
      ["code", "print(1)"],
      ["markdown", "# Hi"],
    ]);
    expect(back[0]!.outputs).toEqual(code.outputs);
    expect(back[0]!.execution_count).toBe(4);
    expect(back[0]!.id).not.toBe(code.id);
    expect(back[1]!.id).not.toBe(text.id);
    expect(back[0]!.metadata["id"]).not.toBe("colab-id");
    // The copy is independent of the original.
    back[0]!.metadata["x"] = 1;
    expect(code.metadata["x"]).toBeUndefined();
  });

  it("gives nothing for foreign or broken content", () => {
    expect(parseCells("not json")).toEqual([]);
    expect(parseCells('{"cells": 3}')).toEqual([]);
    expect(parseCells('{"cells": [1, {"cell_type": "weird", "source": "x"}]}')).toEqual([]);
  });
});
