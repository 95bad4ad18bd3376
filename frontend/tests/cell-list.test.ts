// @vitest-environment jsdom
import { describe, expect, it } from "vitest";

import { newCodeCell, type Notebook } from "../src/model";
import { CellList } from "../src/views/notebook/cell-list";
import type { CellView } from "../src/views/notebook/cell-view";

function setup(n: number) {
  const nb: Notebook = { cells: [], rest: {} };
  for (let i = 0; i < n; i++) nb.cells.push(newCodeCell(`c${i}`));
  const made: string[] = [];
  const destroyed: string[] = [];
  const list = new CellList(nb, (cell) => {
    made.push(cell.source);
    const root = document.createElement("section");
    root.textContent = cell.source;
    const view = {
      cell,
      root,
      editor: { destroy() {} },
      destroy() {
        destroyed.push(cell.source);
        root.remove();
      },
    };
    return view as unknown as CellView;
  });
  const dom = () => [...list.el.children].map((e) => e.textContent);
  return { nb, list, made, destroyed, dom };
}

describe("CellList", () => {
  it("finds a cell's view by id after inserts, removals and moves", () => {
    const { nb, list } = setup(3);
    const [a, b, c] = nb.cells;
    expect(list.viewById(b!.id)?.cell).toBe(b);
    list.remove(b!);
    expect(list.viewById(b!.id)).toBeUndefined();
    const d = newCodeCell("d");
    list.insert(0, d);
    expect(list.viewById(d.id)?.cell).toBe(d);
    list.move(c!, -2);
    expect(list.viewById(c!.id)?.cell).toBe(c);
    expect(list.viewById(a!.id)?.cell).toBe(a);
    expect(list.viewById("nowhere")).toBeUndefined();
  });

  it("keeps the DOM in the order of nb.cells", () => {
    const { nb, list, dom } = setup(3);
    expect(dom()).toEqual(["c0", "c1", "c2"]);
    list.move(nb.cells[2]!, -2);
    expect(dom()).toEqual(["c2", "c0", "c1"]);
    expect(list.move(nb.cells[0]!, -1)).toBe(false);
    list.insert(1, newCodeCell("new"));
    expect(dom()).toEqual(["c2", "new", "c0", "c1"]);
    list.remove(nb.cells[0]!);
    expect(dom()).toEqual(["new", "c0", "c1"]);
    expect(nb.cells.map((c) => c.source)).toEqual(dom());
  });

  it("setCells destroys dropped views and rebuilds returning ones", () => {
    const { nb, list, made, destroyed, dom } = setup(3);
    const before = [...nb.cells];
    let changes = 0;
    list.onChange = () => changes++;
    list.setCells([before[2]!]);
    expect(dom()).toEqual(["c2"]);
    expect(destroyed).toEqual(["c0", "c1"]);
    list.setCells(before); // undo: the same cell objects come back
    expect(dom()).toEqual(["c0", "c1", "c2"]);
    expect(made).toEqual(["c0", "c1", "c2", "c0", "c1"]);
    expect(list.find(before[2]!)?.root.textContent).toBe("c2");
    expect(changes).toBe(2);
  });
});
