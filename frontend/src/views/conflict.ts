// The copy of a cell that a merge kept from the other side (both sides changed it):
// marked until the user dismisses the mark (or deletes one of the two).
import "./conflict.css";

import type { Cell } from "../model";
import { CONFLICT_KEY } from "../merge";
import { h } from "./dom";

export function markConflict(cell: Cell, root: HTMLElement, changed: () => void): void {
  const mark = cell.metadata[CONFLICT_KEY] as { revision?: number } | undefined;
  if (!mark) return;
  const where = mark.revision === undefined ? "elsewhere" : `elsewhere (revision ${mark.revision})`;
  const dismiss = h("button", { type: "button", "data-testid": "conflict-dismiss" }, "Keep both");
  const note = h(
    "div",
    { class: "conflict-note", role: "note", "data-testid": "conflict-note" },
    h("strong", {}, "Conflict: "),
    `the version of the cell above saved ${where}. Keep the one you want and delete the other.`,
    dismiss,
  );
  dismiss.addEventListener("click", () => {
    delete cell.metadata[CONFLICT_KEY];
    note.remove();
    root.classList.remove("cell-conflict");
    changed();
  });
  root.classList.add("cell-conflict");
  (root.querySelector(".body") ?? root).prepend(note);
}
