// The page's half of Colab's request mechanism (docs/colab-protocol.md §1): every iopub
// `colab_request` goes to the cell whose execute_request is its parent and is answered
// once on stdin with an input_reply {type: "colab_reply", colab_msg_id, data | error}.
import type { KernelClient } from "../kernel";
import { type KernelMessage, makeMessage } from "../wire";
import { answerGetSecret } from "./secrets";
import { StdinBox } from "./stdin-box";
import "./colab.css";

/** What the dispatcher needs of one notebook cell. */
export interface ColabCell {
  /** The cell's output element: the shell stdin box goes right after it. */
  outputsEl: HTMLElement;
  /** Evaluates a script in the cell's output frame (creating it if needed). */
  evalScript(script: string): Promise<unknown>;
}

export interface RequestHooks {
  notebookId: string;
  cell(cellId: string): ColabCell | undefined;
  /** "Disconnect and delete runtime": delete it through the service, show disconnected. */
  deleteRuntime(): Promise<void>;
}

// The kernel gives up waiting for unassign's reply after 60 s; the cell usually ends at once.
const UNASSIGN_WAIT_MS = 5_000;

function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  if (err && typeof err === "object" && "message" in err) return String(err.message);
  return String(err);
}

export class ColabRequests {
  /** Executions started outside KernelClient.execute (invokeFunction): parent -> cell. */
  private routes = new Map<string, string>();
  private boxes = new Map<string, StdinBox>();
  private answered = new Set<string>();
  private unsubscribe: () => void;

  constructor(
    private kernel: KernelClient,
    private hooks: RequestHooks,
  ) {
    this.unsubscribe = kernel.subscribe((msg) => this.onMessage(msg));
  }

  /** Routes requests of an execute_request sent on a cell's behalf (a callback call). */
  track(parentMsgId: string, cellId: string): void {
    this.routes.set(parentMsgId, cellId);
  }

  dispose(): void {
    this.unsubscribe();
    for (const box of this.boxes.values()) box.remove();
    this.boxes.clear();
  }

  private cellIdOf(msg: KernelMessage): string | undefined {
    const parent = msg.parent_header.msg_id;
    if (!parent) return undefined;
    return this.routes.get(parent) ?? this.kernel.cellOf(parent);
  }

  private onMessage(msg: KernelMessage): void {
    if (msg.channel !== "iopub") return;
    const type = msg.header.msg_type;
    const parent = msg.parent_header.msg_id;
    if (type === "status" && parent && msg.content["execution_state"] === "idle") {
      this.routes.delete(parent);
      return;
    }
    if (type !== "colab_request") return;
    const cellId = this.cellIdOf(msg);
    // Requests of another tab's (or another viewer's) cells are not ours to answer.
    if (!cellId) return;
    const requestType = String(msg.metadata["colab_request_type"] ?? "");
    const id = String(msg.metadata["colab_msg_id"] ?? "");
    const body = (msg.content["request"] ?? {}) as Record<string, unknown>;
    this.handle(cellId, requestType, id, body, msg);
  }

  private reply(id: string, request: KernelMessage, outcome: { data?: unknown; error?: string }) {
    if (this.answered.has(id)) return;
    this.answered.add(id);
    const value: Record<string, unknown> = { type: "colab_reply", colab_msg_id: id };
    if (outcome.error !== undefined) value["error"] = outcome.error;
    else value["data"] = outcome.data ?? null;
    this.sendInput(value, request);
  }

  private sendInput(value: unknown, request: KernelMessage): void {
    const msg = makeMessage("input_reply", { value }, this.kernel.session, "stdin");
    msg.parent_header = request.header;
    this.kernel.sendMessage(msg);
  }

  private answer(id: string, request: KernelMessage, work: Promise<unknown>): void {
    work.then(
      (data) => this.reply(id, request, { data: data === undefined ? null : data }),
      (err: unknown) => this.reply(id, request, { error: errorText(err) }),
    );
  }

  private box(cellId: string, cell: ColabCell, request: KernelMessage): StdinBox {
    let box = this.boxes.get(cellId);
    if (!box) {
      box = new StdinBox(cell.outputsEl, (line) => this.sendInput(line, request));
      this.boxes.set(cellId, box);
    }
    return box;
  }

  private handle(
    cellId: string,
    type: string,
    id: string,
    body: Record<string, unknown>,
    request: KernelMessage,
  ): void {
    const cell = this.hooks.cell(cellId);
    switch (type) {
      case "cell_javascript_eval": {
        const script = String(body["script"] ?? "");
        const work = cell
          ? cell.evalScript(script)
          : Promise.reject(new Error("The cell is no longer in the notebook."));
        return this.answer(id, request, work);
      }
      case "GetSecret": {
        const key = String(body["key"] ?? "");
        return this.answer(id, request, answerGetSecret(this.hooks.notebookId, key));
      }
      case "unassign_runtime":
        this.reply(id, request, { data: null });
        void this.afterCell(request).then(() => this.hooks.deleteRuntime());
        return;
      case "cell_display_stdin":
        if (cell) this.box(cellId, cell, request).show(Number(body["delayMillis"] ?? 0));
        return;
      case "cell_update_stdin":
        if (cell) this.box(cellId, cell, request).setEcho(body["echo"] !== false);
        return;
      case "cell_remove_stdin":
        this.boxes.get(cellId)?.remove();
        this.boxes.delete(cellId);
        return;
      default:
        return this.reply(id, request, { error: `Unsupported Colab request: ${type}` });
    }
  }

  /** Resolves when the request's execution has finished (or after a bound). */
  private afterCell(request: KernelMessage): Promise<void> {
    const parent = request.parent_header.msg_id;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stop();
        resolve();
      };
      const timer = setTimeout(done, UNASSIGN_WAIT_MS);
      const stop = this.kernel.subscribe((msg) => {
        const idle = msg.header.msg_type === "status" && msg.content["execution_state"] === "idle";
        if (msg.channel === "iopub" && idle && msg.parent_header.msg_id === parent) done();
      });
    });
  }
}
