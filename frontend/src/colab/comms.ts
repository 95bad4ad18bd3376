// Page-side comm routing: comm_msg / comm_close from the kernel go to whoever opened
// (or registered) that comm id, e.g. the output frame of the cell that opened it.
import type { KernelClient } from "../kernel";
import { type KernelMessage, makeMessage, markCell } from "../wire";

export interface CommHandlers {
  onMsg(data: unknown, buffers: ArrayBuffer[]): void;
  onClose(data: unknown): void;
}

export class CommRouter {
  private comms = new Map<string, CommHandlers>();

  constructor(private kernel: KernelClient) {
    kernel.subscribe((msg) => this.route(msg));
  }

  private route(msg: KernelMessage): void {
    const type = msg.header.msg_type;
    if (type !== "comm_msg" && type !== "comm_close") return;
    const id = String(msg.content["comm_id"] ?? "");
    const handlers = this.comms.get(id);
    if (!handlers) return;
    if (type === "comm_msg") handlers.onMsg(msg.content["data"], msg.buffers);
    else {
      this.comms.delete(id);
      handlers.onClose(msg.content["data"]);
    }
  }

  private sendShell(
    type: string,
    content: Record<string, unknown>,
    buffers: ArrayBuffer[],
    cellId?: string,
  ) {
    const msg = makeMessage(type, content, this.kernel.session);
    msg.buffers = buffers;
    // What the kernel's handler prints goes under this cell (cloudbook/live/callbacks.py).
    if (cellId) markCell(msg, cellId);
    this.kernel.sendMessage(msg);
  }

  /** Opens a comm to `target`; messages on it go to `handlers`. Returns the comm id.
   * `cellId`: the cell whose output frame opens it (its handler's prints go there). */
  open(
    target: string,
    data: unknown,
    buffers: ArrayBuffer[],
    handlers: CommHandlers,
    cellId?: string,
  ): string {
    const id = crypto.randomUUID().replace(/-/g, "");
    this.comms.set(id, handlers);
    this.sendShell("comm_open", { comm_id: id, target_name: target, data }, buffers, cellId);
    return id;
  }

  /** Routes a comm the kernel opened (e.g. a widget model) to `handlers`. */
  register(id: string, handlers: CommHandlers): void {
    this.comms.set(id, handlers);
  }

  /** The kernel is gone (restart, new runtime): every comm ends, nothing is sent. */
  endAll(): void {
    const all = [...this.comms.values()];
    this.comms.clear();
    for (const handlers of all) handlers.onClose({});
  }

  owns(id: string): boolean {
    return this.comms.has(id);
  }

  send(id: string, data: unknown, buffers: ArrayBuffer[] = [], cellId?: string): void {
    if (this.comms.has(id)) this.sendShell("comm_msg", { comm_id: id, data }, buffers, cellId);
  }

  close(id: string, data: unknown = {}, cellId?: string): void {
    if (!this.comms.delete(id)) return;
    this.sendShell("comm_close", { comm_id: id, data }, [], cellId);
  }
}

const routers = new WeakMap<KernelClient, CommRouter>();

export function commRouter(kernel: KernelClient): CommRouter {
  let router = routers.get(kernel);
  if (!router) routers.set(kernel, (router = new CommRouter(kernel)));
  return router;
}
