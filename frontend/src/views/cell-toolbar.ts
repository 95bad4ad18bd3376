// The small per-cell toolbar (as in Colab's top-right cell menu): move and delete.
import "./cell-toolbar.css";

import { h } from "./dom";

export interface CellActions {
  moveUp(): void;
  moveDown(): void;
  remove(): void;
}

export function cellToolbar(actions: CellActions): HTMLElement {
  const button = (label: string, text: string, run: () => void) => {
    const b = h("button", { type: "button", title: label, "aria-label": label }, text);
    b.addEventListener("click", run);
    return b;
  };
  return h(
    "div",
    { class: "cell-toolbar" },
    button("Move cell up", "↑", actions.moveUp),
    button("Move cell down", "↓", actions.moveDown),
    button("Delete cell", "✕", actions.remove),
  );
}
