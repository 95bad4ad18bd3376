// The frame's end of its MessageChannel to the page. The page hands the port over once,
// right after load; only a message from the parent window may carry it, so another
// frame cannot wire itself in. Messages are objects {kind, ...payload}.

export type FrameMessage = { kind: string; [key: string]: unknown };
type Handler = (msg: FrameMessage) => void;

const handlers = new Map<string, Set<Handler>>();
const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
let port: MessagePort | null = null;
const early: FrameMessage[] = [];
let nextCall = 1;

function deliver(msg: FrameMessage): void {
  if (msg.kind === "reply" && typeof msg["id"] === "number") {
    const call = pending.get(msg["id"]);
    pending.delete(msg["id"]);
    if (msg["ok"]) call?.resolve(msg["value"]);
    else call?.reject(msg["error"]);
    return;
  }
  for (const fn of handlers.get(msg.kind) ?? []) {
    try {
      fn(msg);
    } catch (e) {
      console.error(e);
    }
  }
}

export const frameBridge = {
  /** Sends {kind, ...payload} to the page (queued until the port arrives). */
  send(kind: string, payload: Record<string, unknown> = {}, transfer: Transferable[] = []): void {
    const msg = { ...payload, kind };
    if (port) port.postMessage(msg, transfer);
    else early.push(msg);
  },

  /** Calls fn with every message of that kind from the page; returns an unsubscribe. */
  on(kind: string, fn: Handler): () => void {
    let set = handlers.get(kind);
    if (!set) handlers.set(kind, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  },

  /** A request the page answers with {kind: "reply", id, ok, value | error}. */
  call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = nextCall++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      frameBridge.send("call", { id, method, params });
    });
  },
};

export function listenForPort(): void {
  const onMessage = (event: MessageEvent) => {
    const data = event.data as { kind?: string } | null;
    if (event.source !== window.parent || data?.kind !== "cloudbook:connect") return;
    const received = event.ports[0];
    if (!received || port) return;
    window.removeEventListener("message", onMessage);
    port = received;
    port.onmessage = (e: MessageEvent) => {
      const msg = e.data as FrameMessage | null;
      if (msg && typeof msg.kind === "string") deliver(msg);
    };
    for (const msg of early.splice(0)) port.postMessage(msg);
  };
  window.addEventListener("message", onMessage);
}
