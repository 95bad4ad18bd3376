// The page's half of Colab's request mechanism (docs/colab-protocol.md §1): each iopub
// `colab_request` reaches the cell whose execute_request is its parent (the notebook
// passes it on from that execution's handlers, so callback runs go to the invoking cell,
// after the outputs before it were rendered) and is answered once on stdin with an
// input_reply {type: "colab_reply", colab_msg_id, data | error}.
import type { KernelClient } from "../kernel";
import { type KernelMessage, makeMessage } from "../wire";
import { answerColabRequest, type ColabOutcome } from "./answer";
import { StdinBox } from "./stdin-box";
import "./colab.css";

/** What the dispatcher needs of one notebook cell. */
export interface ColabCell {
  id: string;
  /** The cell's output element: the shell stdin box goes right after it. */
  outputsEl: HTMLElement;
  /** Evaluates a script in the cell's output frame (creating it if needed). */
  evalScript(script: string): Promise<unknown>;
}

export interface RequestHooks {
  notebookId: string;
  /** "Disconnect and delete runtime": delete it through the service, show disconnected. */
  deleteRuntime(): Promise<void>;
}

// The kernel gives up waiting for unassign's reply after 60 s; the cell usually ends at once.
const UNASSIGN_WAIT_MS = 5_000;

export class ColabRequests {
  private boxes = new Map<string, StdinBox>();
  private answered = new Set<string>();
  private disposed = false;

  constructor(
    private kernel: KernelClient,
    private hooks: RequestHooks,
  ) {}

  dispose(): void {
    this.disposed = true;
    for (const box of this.boxes.values()) box.remove();
    this.boxes.clear();
  }

  /** One colab_request of `cell`, handled in the order they arrive. */
  handle(msg: KernelMessage, cell: ColabCell): void {
    if (this.disposed || msg.header.msg_type !== "colab_request") return;
    const type = String(msg.metadata["colab_request_type"] ?? "");
    const id = String(msg.metadata["colab_msg_id"] ?? "");
    const body = (msg.content["request"] ?? {}) as Record<string, unknown>;
    this.dispatch(cell, type, id, body, msg);
  }

  private reply(id: string, request: KernelMessage, outcome: ColabOutcome) {
    if (this.answered.has(id)) return;
    this.answered.add(id);
    this.sendInput({ type: "colab_reply", colab_msg_id: id, ...outcome }, request);
  }

  private sendInput(value: unknown, request: KernelMessage): void {
    const msg = makeMessage("input_reply", { value }, this.kernel.session, "stdin");
    msg.parent_header = request.header;
    this.kernel.sendMessage(msg);
  }

  private box(cell: ColabCell, request: KernelMessage): StdinBox {
    let box = this.boxes.get(cell.id);
    if (!box) {
      box = new StdinBox(cell.outputsEl, (line) => this.sendInput(line, request));
      this.boxes.set(cell.id, box);
    }
    return box;
  }

  private dispatch(
    cell: ColabCell,
    type: string,
    id: string,
    body: Record<string, unknown>,
    request: KernelMessage,
  ): void {
    switch (type) {
      case "cell_display_stdin":
        this.box(cell, request).show(Number(body["delayMillis"] ?? 0));
        return;
      case "cell_update_stdin":
        this.box(cell, request).setEcho(body["echo"] !== false);
        return;
      case "cell_remove_stdin":
        this.boxes.get(cell.id)?.remove();
        this.boxes.delete(cell.id);
        return;
    }
    const context = {
      notebookId: this.hooks.notebookId,
      evalScript: (script: string) => cell.evalScript(script),
      unassign: () => void this.afterCell(request).then(() => this.hooks.deleteRuntime()),
    };
    void answerColabRequest(type, body, context).then((outcome) => this.reply(id, request, outcome));
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
