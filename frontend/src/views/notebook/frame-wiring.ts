// Hooks a cell's output frame to the page: what its google.colab JS API may do (always
// for that cell only), and the cell's colab_request messages to the dispatcher.
import { frameHost } from "../../colab/frame-services";
import { handleColabRequest } from "../../colab/requests";
import type { KernelMessage } from "../../wire";
import { runForOutputs } from "../invoke-run";
import { attachFrameHost, cellFrame } from "../output-frame";
import type { CellView } from "./cell-view";
import type { KernelSession } from "./kernel-session";

export interface FramePage {
  session: KernelSession;
  /** The notebook changed (schedules an autosave). */
  changed(): void;
}

/** Answers one colab_request of a cell, after its earlier outputs reached the frame. */
export function colabRequest(page: FramePage, view: CellView, msg: KernelMessage): void {
  const kernel = page.session.kernel;
  if (!kernel) return;
  view.paint();
  handleColabRequest(msg, { kernel, frame: () => cellFrame(view.outputs) });
}

export function wireCellFrame(page: FramePage, view: CellView): void {
  attachFrameHost(
    view.outputs,
    frameHost(() => view.live, {
      kernel: () => page.session.kernel,
      execute: (code) =>
        runForOutputs(
          page.session.kernel!,
          view.cell,
          code,
          () => view.paint(),
          (m) => colabRequest(page, view, m),
        ).finally(() => page.changed()),
      runtimeId: () => page.session.runtimeId(),
      disconnect: () => page.session.disconnect(),
    }),
  );
}
