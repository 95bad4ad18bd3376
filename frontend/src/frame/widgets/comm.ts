// Comms inside an output frame: each one stands for a kernel comm that the page relays.
// Sends go to the page with a message id chosen here, so the kernel's echo_update (whose
// parent is that id) is recognised by the model that sent it.
import type { ICallbacks, IClassicComm } from "@jupyter-widgets/base";

import { WIDGET_KINDS } from "../../widgets/protocol";

type Msg = { kind: string; [key: string]: unknown };

/** What the frame needs of its bridge (frameBridge satisfies it). */
export interface Transport {
  send(kind: string, payload?: Record<string, unknown>, transfer?: Transferable[]): void;
  on(kind: string, fn: (msg: Msg) => void): () => void;
}

function newId(): string {
  return crypto.randomUUID().replace(/-/g, "");
}

function toBuffers(buffers?: ArrayBuffer[] | ArrayBufferView[]): ArrayBuffer[] {
  return (buffers ?? []).map((b) =>
    b instanceof ArrayBuffer
      ? b.slice(0)
      : new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice().buffer,
  );
}

/** Kernel-shaped message handed to a model's comm handler. */
function kernelShaped(msg: Msg): Record<string, unknown> {
  return {
    header: { msg_id: msg["msg_id"] ?? "", msg_type: "comm_msg" },
    parent_header: { msg_id: msg["parent_msg_id"] ?? "" },
    metadata: {},
    content: { comm_id: msg["comm_id"], data: msg["data"] ?? {} },
    buffers: (msg["buffers"] as ArrayBuffer[] | undefined) ?? [],
  };
}

/** All comms of one frame, and the status callbacks of the messages they sent. */
export class CommHub {
  private comms = new Map<string, BridgeComm>();
  private callbacks = new Map<string, ICallbacks>();

  constructor(readonly transport: Transport) {
    transport.on(WIDGET_KINDS.msg, (msg) => this.comms.get(String(msg["comm_id"]))?.deliver(msg));
    transport.on(WIDGET_KINDS.closed, (msg) => {
      const comm = this.comms.get(String(msg["comm_id"]));
      this.comms.delete(String(msg["comm_id"]));
      comm?.closed(msg);
    });
    transport.on(WIDGET_KINDS.status, (msg) => {
      const id = String(msg["msg_id"]);
      const state = String(msg["execution_state"]);
      const status = this.callbacks.get(id)?.iopub?.["status"];
      if (state === "idle") this.callbacks.delete(id);
      status?.({ content: { execution_state: state }, parent_header: { msg_id: id } } as never);
    });
  }

  comm(commId: string, targetName = "jupyter.widget"): BridgeComm {
    let comm = this.comms.get(commId);
    if (!comm) this.comms.set(commId, (comm = new BridgeComm(commId, targetName, this)));
    return comm;
  }

  post(
    kind: string,
    commId: string,
    payload: Record<string, unknown>,
    callbacks?: ICallbacks,
    buffers?: ArrayBuffer[] | ArrayBufferView[],
  ): string {
    const msgId = newId();
    if (callbacks) this.callbacks.set(msgId, callbacks);
    const data = toBuffers(buffers);
    this.transport.send(kind, { ...payload, comm_id: commId, msg_id: msgId, buffers: data }, data);
    return msgId;
  }

  forget(commId: string): void {
    this.comms.delete(commId);
  }
}

export class BridgeComm implements IClassicComm {
  private onMsg: ((msg: unknown) => void) | null = null;
  private onClose: ((msg: unknown) => void) | null = null;
  // Messages that came while the model was still being built (before it listens).
  private early: Msg[] = [];

  constructor(
    readonly comm_id: string,
    readonly target_name: string,
    private hub: CommHub,
  ) {}

  open(data: unknown, callbacks?: ICallbacks, metadata?: unknown, buffers?: ArrayBuffer[]): string {
    const payload = { target_name: this.target_name, data, metadata: metadata ?? {} };
    return this.hub.post(WIDGET_KINDS.open, this.comm_id, payload, callbacks, buffers);
  }

  send(
    data: unknown,
    callbacks?: ICallbacks,
    metadata?: unknown,
    buffers?: ArrayBuffer[] | ArrayBufferView[],
  ): string {
    const payload = { data, metadata: metadata ?? {} };
    return this.hub.post(WIDGET_KINDS.send, this.comm_id, payload, callbacks, buffers);
  }

  close(data?: unknown, callbacks?: ICallbacks): string {
    this.hub.forget(this.comm_id);
    return this.hub.post(WIDGET_KINDS.close, this.comm_id, { data: data ?? {} }, callbacks);
  }

  on_msg(callback: (msg: unknown) => void): void {
    this.onMsg = callback;
    for (const msg of this.early.splice(0)) callback(kernelShaped(msg));
  }

  on_close(callback: (msg: unknown) => void): void {
    this.onClose = callback;
  }

  deliver(msg: Msg): void {
    if (this.onMsg) this.onMsg(kernelShaped(msg));
    else this.early.push(msg);
  }

  closed(msg: Msg): void {
    this.onClose?.(kernelShaped(msg));
  }
}
