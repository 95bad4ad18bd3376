// A kernel connection through the service's proxy: v1 framing preferred, legacy JSON
// fallback, same session id on reconnect so the proxy replays what was missed.
import {
  decodeLegacy,
  decodeV1,
  encodeLegacy,
  encodeV1,
  type KernelMessage,
  makeMessage,
  markCell,
  V1_PROTOCOL,
} from "./wire";

export type ConnectionState = "connecting" | "connected" | "disconnected";
export type KernelState = "unknown" | "starting" | "idle" | "busy" | "restarting" | "dead";

export interface ExecuteHandlers {
  onIopub(msg: KernelMessage): void;
  onInput?(prompt: string, password: boolean): Promise<string>;
  /** The notebook cell this execution belongs to (Colab requests are routed by it). */
  cellId?: string;
  /** Name the cell in the request, so the service writes its outputs into that cell of
   * the live document (an invokeFunction run: cloudbook/live/callbacks.py). */
  markCell?: boolean;
}

interface Pending {
  handlers: ExecuteHandlers;
  replied: boolean;
  idle: boolean;
  resolve(reply: Record<string, unknown>): void;
  reply: Record<string, unknown> | null;
}

export class KernelClient {
  readonly session = crypto.randomUUID().replace(/-/g, "");
  connection: ConnectionState = "connecting";
  kernelState: KernelState = "unknown";
  onState: () => void = () => {};
  /** Called after each unexpected close, before the reconnect attempt is scheduled. */
  onDropped: () => void = () => {};
  private ws: WebSocket | null = null;
  private useV1 = true;
  private queue: KernelMessage[] = [];
  private pending = new Map<string, Pending>();
  private closed = false;
  private retry = 0;
  private subscribers = new Set<(msg: KernelMessage) => unknown>();
  private requests = new Map<string, { resolve(m: KernelMessage): void; reject(e: Error): void }>();

  constructor(private url: string) {
    this.open();
  }

  private open(): void {
    const full = `${this.url}${this.url.includes("?") ? "&" : "?"}session_id=${this.session}`;
    const ws = this.useV1 ? new WebSocket(full, [V1_PROTOCOL]) : new WebSocket(full);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    this.setConnection("connecting");
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.retry = 0;
      if (ws.protocol !== V1_PROTOCOL) this.useV1 = false;
      this.setConnection("connected");
      for (const msg of this.queue.splice(0)) this.sendNow(msg);
      this.send(makeMessage("kernel_info_request", {}, this.session));
    };
    ws.onmessage = (event) => {
      const msg =
        typeof event.data === "string" ? decodeLegacy(event.data) : decodeV1(event.data);
      this.dispatch(msg);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.setConnection("disconnected");
      if (this.closed) return;
      // A server that refuses the v1 subprotocol outright gets the legacy protocol next.
      if (!opened && this.useV1 && this.retry === 0) this.useV1 = false;
      const delay = Math.min(10_000, 250 * 2 ** this.retry++);
      setTimeout(() => !this.closed && this.open(), delay);
      this.onDropped();
    };
  }

  private setConnection(state: ConnectionState): void {
    this.connection = state;
    this.onState();
  }

  private sendNow(msg: KernelMessage): void {
    this.ws!.send(this.useV1 ? encodeV1(msg) : encodeLegacy(msg));
  }

  send(msg: KernelMessage): void {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.sendNow(msg);
    else this.queue.push(msg);
  }

  sendMessage(msg: KernelMessage): void {
    this.send(msg);
  }

  /** fn sees every incoming message, any channel; returns an unsubscribe. An iopub
   * output for which fn returns true is taken (an Output widget's): no execution sees it. */
  subscribe(fn: (msg: KernelMessage) => unknown): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  /** Sends a request; resolves with the reply whose parent is the sent message (rejects
   * when the kernel dies or restarts, or the client closes, first). */
  request(
    msgType: string,
    content: Record<string, unknown>,
    channel: "shell" | "control" = "shell",
  ): Promise<KernelMessage> {
    const msg = makeMessage(msgType, content, this.session, channel);
    return new Promise((resolve, reject) => {
      this.requests.set(msg.header.msg_id, { resolve, reject });
      this.send(msg);
    });
  }

  private dispatch(msg: KernelMessage): void {
    let taken = false;
    for (const fn of this.subscribers) {
      try {
        if (fn(msg) === true) taken = true;
      } catch (e) {
        console.error(e);
      }
    }
    const type = msg.header.msg_type;
    if (msg.channel === "iopub" && type === "status") {
      this.kernelState = (msg.content["execution_state"] as KernelState) ?? "unknown";
      this.onState();
      if (this.kernelState === "dead" || this.kernelState === "restarting") this.failPending();
    }
    const parent = msg.parent_header.msg_id;
    if (parent && msg.channel !== "iopub" && this.requests.has(parent)) {
      this.requests.get(parent)!.resolve(msg);
      this.requests.delete(parent);
      return;
    }
    const pending = parent ? this.pending.get(parent) : undefined;
    if (!pending || !parent) return;
    if (msg.channel === "iopub") {
      if (type === "status") {
        if (msg.content["execution_state"] === "idle") pending.idle = true;
      } else if (!taken) {
        pending.handlers.onIopub(msg);
      }
    } else if (msg.channel === "shell" && type === "execute_reply") {
      pending.replied = true;
      pending.reply = msg.content;
    } else if (msg.channel === "stdin" && type === "input_request") {
      const ask = pending.handlers.onInput;
      const prompt = String(msg.content["prompt"] ?? "");
      void (ask ? ask(prompt, Boolean(msg.content["password"])) : Promise.resolve("")).then(
        (value) => {
          const reply = makeMessage("input_reply", { value }, this.session, "stdin");
          reply.parent_header = msg.header;
          this.send(reply);
        },
      );
    }
    if (pending.idle && pending.replied) {
      this.pending.delete(parent);
      pending.resolve(pending.reply ?? { status: "error" });
    }
  }

  /** Ends every running execution (the kernel died, restarted or went away). */
  failPending(evalue = "The kernel stopped."): void {
    for (const [id, r] of this.requests) {
      this.requests.delete(id);
      r.reject(new Error(evalue));
    }
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.resolve({ status: "error", ename: "KernelDied", evalue });
    }
  }

  execute(
    code: string,
    handlers: ExecuteHandlers,
    options: { storeHistory?: boolean; stopOnError?: boolean; allowStdin?: boolean } = {},
  ): Promise<Record<string, unknown>> {
    const msg = makeMessage(
      "execute_request",
      {
        code,
        silent: false,
        store_history: options.storeHistory ?? true,
        user_expressions: {},
        allow_stdin: options.allowStdin ?? Boolean(handlers.onInput),
        stop_on_error: options.stopOnError ?? true,
      },
      this.session,
    );
    if (handlers.markCell && handlers.cellId) markCell(msg, handlers.cellId);
    return new Promise((resolve) => {
      this.pending.set(msg.header.msg_id, {
        handlers,
        replied: false,
        idle: false,
        reply: null,
        resolve,
      });
      this.send(msg);
    });
  }

  /** Closes for good: no reconnect, running executions end. */
  close(reason = "Disconnected from the runtime."): void {
    this.closed = true;
    this.queue.length = 0;
    this.ws?.close();
    this.failPending(reason);
    this.setConnection("disconnected");
  }
}
