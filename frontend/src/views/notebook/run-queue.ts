// Runs code cells one after another through the kernel. A failed cell cancels the cells
// queued after it, as in Jupyter; so does a restart (cancelQueued).
import { ApiError } from "../../api";
import { makeExecutionInfo } from "../../cells/exec-info";
import { askLine, cancelAsk, inputEcho } from "../../colab/stdin-box";
import { type Cell, OutputAccumulator } from "../../model";
import type { KernelMessage } from "../../wire";
import { onNextFrame } from "../frame-batch";
import type { Banner } from "./banner";
import type { CellView } from "./cell-view";
import type { KernelSession } from "./kernel-session";

export interface RunHooks {
  /** The view of a cell, if it is still on the page. */
  view(cell: Cell): CellView | undefined;
  /** A run finished and changed the notebook (saves soon). */
  finished(view: CellView): void;
  /** Who runs cells here (recorded in Colab's executionInfo). */
  user?(): { name: string; id: number } | undefined;
  /** A run is about to clear the cell's outputs (its output frame starts afresh). */
  starting?(view: CellView): void;
  /** Cells run by the service (live documents): asks it to run these, in order. */
  service?(): ServiceRun | undefined;
}

export type ServiceRun = (cells: { id: string; source: string }[]) => Promise<unknown>;

/** Sees an iopub message of a running cell before its outputs do; true consumes it
 * (a colab_request, a widget message). */
export type IopubFilter = (view: CellView, msg: KernelMessage) => boolean | void;

function listen<T>(list: T[], fn: T): () => void {
  list.push(fn);
  return () => {
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
  };
}

export class RunQueue {
  private queue: Promise<unknown> = Promise.resolve();
  // Bumped when a cell fails or the kernel restarts: cells queued before that are skipped.
  private epoch = 0;
  private iopubFilters: IopubFilter[] = [];
  private startListeners: ((view: CellView) => void)[] = [];
  private endListeners: ((view: CellView) => void)[] = [];
  /** Cells asked for in one go (Run all, Run after), sent to the service together. */
  private batch: CellView[] = [];
  /** Answers input() of a running cell (default: the stdin box under the cell). */
  askInput: (view: CellView, prompt: string, password: boolean) => Promise<string> = (
    view,
    prompt,
    password,
  ) => askLine(view.outputs, prompt, password);

  constructor(
    private session: KernelSession,
    private banner: Banner,
    private hooks: RunHooks,
  ) {}

  /** Queues a cell; markdown cells just render. */
  run(cell: Cell): void {
    const view = this.hooks.view(cell);
    if (cell.cell_type === "markdown") view?.preview.render(cell.source);
    if (cell.cell_type !== "code") return;
    // A cell already waiting runs with its latest source anyway; one that is running
    // may be queued once more (a run: "auto" form changed while it ran).
    if (!view || view.queued) return;
    view.queued = true;
    view.ranOnce = true;
    view.paint(false);
    const service = this.hooks.service?.();
    if (service) return this.viaService(view, service);
    const epoch = this.epoch;
    this.queue = this.queue.then(() => this.execute(view, epoch)).catch(() => undefined);
  }

  /** Calls `fn` with every iopub message of a running cell, before the outputs. */
  onIopub(fn: IopubFilter): () => void {
    return listen(this.iopubFilters, fn);
  }

  /** Calls `fn` when a cell starts running (its old outputs were just cleared). */
  onRunStart(fn: (view: CellView) => void): () => void {
    return listen(this.startListeners, fn);
  }

  /** Calls `fn` when a cell's run ended (ok, failed or the kernel went away). */
  onRunEnd(fn: (view: CellView) => void): () => void {
    return listen(this.endListeners, fn);
  }

  /** Takes a queued cell off the queue (its turn is skipped). */
  cancel(cell: Cell): void {
    const view = this.hooks.view(cell);
    if (!view?.queued) return;
    view.queued = false;
    view.paint(false);
  }

  /** Skips everything queued so far (running cells end with the kernel). */
  cancelQueued(): void {
    this.epoch++;
  }

  /** The service runs it and writes into the live document; the page shows the states
   * from there (live/service-runs.ts). The kernel socket still connects: comms and
   * widgets use it. */
  private viaService(view: CellView, service: ServiceRun) {
    this.batch.push(view);
    if (this.batch.length > 1) return;
    // One request for the cells of one action: the service's error stop then cancels the
    // cells after a failing one, as in Jupyter, however late a second request would land.
    queueMicrotask(() => {
      const views = this.batch;
      this.batch = [];
      this.queue = this.queue
        .then(() => this.session.connect())
        .then(() => {
          this.banner.clear("runtime");
          // This tab ran them: their output frames get kernel access (widgets' comms,
          // files.download), as for a run of its own; other tabs only show the outputs.
          for (const v of views) this.hooks.starting?.(v);
          return service(views.map((v) => ({ id: v.cell.id, source: v.cell.source })));
        })
        .catch((e: unknown) => {
          for (const v of views) {
            v.queued = false;
            v.paint(false);
          }
          this.banner.show(e instanceof ApiError ? e.message : "Could not run the cell.", "runtime");
        });
    });
  }

  private async execute(view: CellView, epoch: number): Promise<void> {
    const cell = view.cell;
    // Cancelled while it waited (or its view went away).
    if (!view.queued) return;
    view.queued = false;
    if (epoch !== this.epoch) return view.paint(false);
    try {
      await this.session.connect();
    } catch (e) {
      this.epoch++;
      this.banner.show(
        e instanceof ApiError ? e.message : "Could not connect to a runtime.",
        "runtime",
      );
      return view.paint(false);
    }
    this.banner.clear("runtime");
    view.running = true;
    this.hooks.starting?.(view);
    cell.outputs = [];
    for (const fn of this.startListeners) fn(view);
    view.paint();
    const acc = new OutputAccumulator(cell);
    const started = Date.now();
    let ended = false;
    const reply = await this.session.kernel!.execute(cell.source, {
      onIopub: (msg) => {
        for (const fn of this.iopubFilters) if (fn(view, msg) === true) return;
        acc.add(msg);
        // Stream text can come in 100,000 messages: painted once per frame. Anything else
        // paints at once, so every display (and its scripts) is shown as in Jupyter.
        if (msg.header.msg_type === "stream") onNextFrame(view, () => view.paint());
        else view.paint();
      },
      onInput: async (prompt, password) => {
        const answer = await this.askInput(view, prompt, password);
        // Answered (not cancelled by the run's end): the question stays in the output.
        if (!ended) acc.add(inputEcho(prompt, answer, password));
        view.paint();
        return answer;
      },
    });
    ended = true;
    cancelAsk(view.outputs);
    for (const fn of this.endListeners) fn(view);
    const count = reply["execution_count"];
    if (typeof count === "number") cell.execution_count = count;
    if (reply["status"] !== "ok") this.epoch++;
    if (reply["ename"] === "KernelDied" && !cell.outputs.length) {
      const evalue = String(reply["evalue"]);
      cell.outputs.push({ output_type: "error", ename: "KernelDied", evalue, traceback: [] });
    }
    view.running = false;
    const ok = reply["status"] === "ok";
    const user = this.hooks.user?.();
    cell.metadata["executionInfo"] = makeExecutionInfo(started, Date.now(), ok, user);
    view.paint();
    this.hooks.finished(view);
  }
}
