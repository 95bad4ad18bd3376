// The small per-cell toolbar (as in Colab's top-right cell menu), and the "+ Code" /
// "+ Text" bar that shows between cells on hover.
import "./cell-toolbar.css";

import { h } from "./dom";

export interface CellActions {
  moveUp(): void;
  moveDown(): void;
  remove(): void;
  /** Inserts a new cell next to this one. */
  insert(where: "above" | "below", text: boolean): void;
  copy(): void;
  cut(): void;
}

function button(label: string, text: string, run: () => void): HTMLButtonElement {
  const b = h("button", { type: "button", title: label, "aria-label": label }, text);
  // Keep the focus (and so the current cell and mode) where it is.
  b.addEventListener("mousedown", (e) => e.preventDefault());
  b.addEventListener("click", run);
  return b;
}

export function cellToolbar(actions: CellActions): HTMLElement {
  return h(
    "div",
    { class: "cell-toolbar" },
    button("Insert code cell above", "+↑", () => actions.insert("above", false)),
    button("Insert code cell below", "+↓", () => actions.insert("below", false)),
    button("Insert text cell below", "T↓", () => actions.insert("below", true)),
    button("Move cell up", "↑", actions.moveUp),
    button("Move cell down", "↓", actions.moveDown),
    button("Copy cell", "❏", actions.copy),
    button("Cut cell", "✂", actions.cut),
    button("Delete cell", "✕", actions.remove),
  );
}

/** The hover bar above a cell: inserts there (between it and the one before). */
export function insertBar(actions: CellActions): HTMLElement {
  const code = h("button", { type: "button", "data-testid": "insert-code-here" }, "+ Code");
  code.addEventListener("click", () => actions.insert("above", false));
  const text = h("button", { type: "button", "data-testid": "insert-text-here" }, "+ Text");
  text.addEventListener("click", () => actions.insert("above", true));
  return h("div", { class: "insert-bar", "aria-label": "Insert cell here" }, code, text);
}
