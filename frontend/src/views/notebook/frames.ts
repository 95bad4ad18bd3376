// The cells' output frames on the notebook page: each cell view gets a frame host (kernel
// access only for frames made by a run in this page session), runs reset the frame, and
// Colab requests of runs and of invokeFunction executions go to that cell's frame.
import { api } from "../../api";
import type { SessionOut } from "../../api-types";
import { SHELL_STDIN_TYPES } from "../../colab/answer";
import { commRouter } from "../../colab/comms";
import { frameHost } from "../../colab/frame-services";
import type { KernelClient } from "../../kernel";
import { ColabRequests } from "../../colab/requests";
import type { KernelMessage } from "../../wire";
import { runForOutputs } from "../invoke-run";
import { attachFrameHost, cellFrame, type FrameHost, resetFrame } from "../output-frame";
import type { CellView } from "./cell-view";
import type { KernelSession } from "./kernel-session";
import type { RunQueue } from "./run-queue";

export class CellFrames {
  private live = new WeakSet<CellView>();
  /** With live documents: the cell the service runs now, if any (else undefined). */
  serviceRunning: (() => CellView | undefined) | undefined;
  /** The service writes what the cells' frames make the kernel print (invokeFunction). */
  serviceWrites: () => boolean = () => false;
  private stdinView: CellView | undefined;
  private colab: ColabRequests | null = null;
  /** Lets another part serve each frame too (widgets wire theirs in). */
  wrapHost: (host: FrameHost, view: CellView) => FrameHost = (host) => host;

  constructor(
    private session: KernelSession,
    runner: RunQueue,
    private path: (rest?: string) => string,
    private changed: () => void,
    notebookId: string,
  ) {
    // One dispatcher per kernel connection: a new kernel never sees the old one's boxes.
    let previous: KernelClient | null = null;
    session.onKernel((kernel) => {
      // Comms of the old kernel end (a download in progress says so instead of hanging).
      if (previous && previous !== kernel) commRouter(previous).endAll();
      previous = kernel;
      this.colab?.dispose();
      this.colab = new ColabRequests(kernel, {
        notebookId,
        deleteRuntime: () => session.deleteRuntime(),
      });
    });
    runner.onIopub((view, msg) => {
      if (msg.header.msg_type === "colab_request") this.request(view, msg);
    });
    // Cells the service runs (live documents): their shell stdin box (`!read`, a
    // subprocess asking for a password) comes to every page on iopub; the tab that ran
    // the cell shows it and sends the lines on its own kernel socket (the kernel takes
    // stdin from any connection). Other Colab requests go through the document.
    session.onKernel((kernel) =>
      kernel.subscribe((msg) => {
        const type = String(msg.metadata?.["colab_request_type"] ?? "");
        if (msg.header.msg_type !== "colab_request" || !SHELL_STDIN_TYPES.has(type)) return;
        // Updates and the removal go where the box is (the document may say the cell
        // ended before this socket brings them).
        const view = type === "cell_display_stdin" ? this.serviceRunning?.() : this.stdinView;
        if (!view || !this.live.has(view)) return;
        this.stdinView = type === "cell_remove_stdin" ? undefined : view;
        this.request(view, msg);
      }),
    );
  }

  /** Gives a new cell view its frame host. */
  adopt(view: CellView): CellView {
    const host = frameHost(() => this.live.has(view), {
      cellId: view.cell.id,
      kernel: () => this.session.kernel,
      execute: (code) => {
        const kernel = this.session.kernel;
        if (!kernel) return Promise.reject(new Error("Not connected to the runtime"));
        const paint = () => view.paint();
        // Cells the service runs (live documents): it writes this run's outputs too.
        const draw = !this.serviceWrites();
        const request = (m: KernelMessage) => this.request(view, m);
        return runForOutputs(kernel, view.cell, code, paint, request, draw).finally(this.changed);
      },
      runtimeId: () =>
        api<SessionOut>("GET", this.path("/session")).then(
          (s) => s.runtime_id,
          () => null,
        ),
      disconnect: () => this.session.disconnect(),
    });
    attachFrameHost(view.outputs, this.wrapHost(host, view));
    return view;
  }

  /** A run of the cell starts: a fresh frame, with kernel access, for its outputs. */
  starting(view: CellView): void {
    this.live.add(view);
    resetFrame(view.outputs);
  }

  private request(view: CellView, msg: KernelMessage): void {
    if (!this.session.kernel || !this.colab) return;
    view.paint(); // every earlier output reaches the frame before the request does
    const evalScript = (script: string) => cellFrame(view.outputs).evalScript(script);
    this.colab.handle(msg, { id: view.cell.id, outputsEl: view.outputs, evalScript });
  }
}
