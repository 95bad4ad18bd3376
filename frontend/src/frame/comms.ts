// google.colab.kernel.comms in the frame: channels to kernel comms the page opened for
// this frame. Messages for a comm are queued until someone iterates `channel.messages`.
import { frameBridge, type FrameMessage } from "./bridge";

export interface CommMessage {
  data: unknown;
  buffers: ArrayBuffer[];
}

class MessageQueue implements AsyncIterable<CommMessage> {
  private items: CommMessage[] = [];
  private waiters: ((r: IteratorResult<CommMessage>) => void)[] = [];
  ended = false;

  push(item: CommMessage): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter({ value: item, done: false });
    else this.items.push(item);
  }

  end(): void {
    this.ended = true;
    for (const waiter of this.waiters.splice(0)) waiter({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<CommMessage> {
    return {
      next: () => {
        const item = this.items.shift();
        if (item) return Promise.resolve({ value: item, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.waiters.push(resolve));
      },
      return: () => Promise.resolve({ value: undefined, done: true }),
    };
  }
}

const queues = new Map<string, MessageQueue>();

function queue(commId: string): MessageQueue {
  let q = queues.get(commId);
  if (!q) queues.set(commId, (q = new MessageQueue()));
  return q;
}

function toBuffers(buffers: unknown): ArrayBuffer[] {
  if (!Array.isArray(buffers)) return [];
  return buffers.map((b: unknown) => {
    if (b instanceof ArrayBuffer) return b;
    if (ArrayBuffer.isView(b)) {
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    }
    throw new TypeError("comm buffers must be ArrayBuffers or typed arrays");
  });
}

export class CommChannel {
  readonly messages: AsyncIterable<CommMessage>;

  constructor(readonly commId: string) {
    this.messages = queue(commId);
  }

  send(data: unknown, { buffers = [] }: { buffers?: unknown[] } = {}): void {
    frameBridge.send("comm-send", { comm_id: this.commId, data, buffers: toBuffers(buffers) });
  }

  close(): void {
    frameBridge.send("comm-close", { comm_id: this.commId });
    queue(this.commId).end();
  }
}

export async function openComm(target: string, data: unknown = {}, buffers: unknown[] = []) {
  const commId = (await frameBridge.call("comm-open", {
    target: String(target),
    data,
    buffers: toBuffers(buffers),
  })) as string;
  return new CommChannel(commId);
}

export function listenForComms(): void {
  frameBridge.on("comm-msg", (msg: FrameMessage) => {
    const buffers = Array.isArray(msg["buffers"]) ? (msg["buffers"] as ArrayBuffer[]) : [];
    queue(String(msg["comm_id"])).push({ data: msg["data"], buffers });
  });
  frameBridge.on("comm-close", (msg: FrameMessage) => queue(String(msg["comm_id"])).end());
}
