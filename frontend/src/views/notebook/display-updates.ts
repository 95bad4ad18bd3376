// A display handle (`display(..., display_id=True)`, `DisplayHandle.update`) may be
// updated from any cell, and from threads after its cell ended: update_display_data — and
// a display_data that reuses the id — changes every output showing that display id in
// every cell, as JupyterLab does. The running cell's own accumulator does the same for
// its cell; applying the same data twice changes nothing.
import type { Cell } from "../../model";
import type { CellView } from "./cell-view";
import type { KernelSession } from "./kernel-session";

export interface DisplayTargets {
  cells(): readonly Cell[];
  view(cell: Cell): CellView | undefined;
  /** Outputs changed outside a run: the notebook should be saved. */
  changed(): void;
}

export function followDisplayUpdates(session: KernelSession, targets: DisplayTargets): void {
  session.onKernel((kernel) =>
    kernel.subscribe((msg) => {
      const type = msg.header.msg_type;
      if (msg.channel !== "iopub") return;
      if (type !== "update_display_data" && type !== "display_data") return;
      const transient = msg.content["transient"] as { display_id?: unknown } | undefined;
      const id = transient?.display_id;
      // IPython sends whatever id was given (display_id=1 stays a number).
      if ((typeof id !== "string" && typeof id !== "number") || id === "") return;
      let save = false;
      for (const cell of targets.cells()) {
        let hit = false;
        for (const out of cell.outputs) {
          if (out["_display_id"] !== id || out["data"] === msg.content["data"]) continue;
          out["data"] = msg.content["data"] ?? {};
          out["metadata"] = msg.content["metadata"] ?? {};
          hit = true;
        }
        if (!hit) continue;
        const view = targets.view(cell);
        view?.paint();
        // A running cell is saved when its run ends (a progress bar updating its own
        // display would otherwise schedule a save on every update).
        save ||= !view?.running;
      }
      if (save) targets.changed();
    }),
  );
}
