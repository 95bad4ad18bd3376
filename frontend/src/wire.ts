// Jupyter kernel messages and the v1.kernel.websocket.jupyter.org binary framing.
export const V1_PROTOCOL = "v1.kernel.websocket.jupyter.org";

export interface Header {
  msg_id: string;
  msg_type: string;
  username: string;
  session: string;
  date: string;
  version: string;
}

/** Header field naming the cell a request is for (a widget click in its output frame). */
export const CELL_KEY = "cloudbook_cell";

export interface KernelMessage {
  channel: string;
  header: Header;
  parent_header: Partial<Header>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
  buffers: ArrayBuffer[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function newId(): string {
  return crypto.randomUUID().replace(/-/g, "");
}

export function makeMessage(
  msgType: string,
  content: Record<string, unknown>,
  session: string,
  channel = "shell",
): KernelMessage {
  return {
    channel,
    header: {
      msg_id: newId(),
      msg_type: msgType,
      username: "cloudbook",
      session,
      date: new Date().toISOString(),
      version: "5.3",
    },
    parent_header: {},
    metadata: {},
    content,
    buffers: [],
  };
}

/** Marks a request as the cell's: Jupyter kernels copy the header into the parent_header
 * of everything the request prints, so the service knows the cell those outputs go to. */
export function markCell(msg: KernelMessage, cellId: string): void {
  (msg.header as unknown as Record<string, unknown>)[CELL_KEY] = cellId;
}

export function encodeV1(msg: KernelMessage): ArrayBuffer {
  const parts: Uint8Array[] = [
    encoder.encode(JSON.stringify(msg.header)),
    encoder.encode(JSON.stringify(msg.parent_header)),
    encoder.encode(JSON.stringify(msg.metadata)),
    encoder.encode(JSON.stringify(msg.content)),
    ...msg.buffers.map((b) => new Uint8Array(b)),
  ];
  const channel = encoder.encode(msg.channel);
  const offsets: number[] = [8 * (3 + parts.length)];
  offsets.push(offsets[offsets.length - 1]! + channel.length);
  for (const part of parts) offsets.push(offsets[offsets.length - 1]! + part.length);
  const total = offsets[offsets.length - 1]!;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(offsets.length), true);
  offsets.forEach((o, i) => view.setBigUint64(8 * (i + 1), BigInt(o), true));
  out.set(channel, offsets[0]!);
  parts.forEach((part, i) => out.set(part, offsets[i + 1]!));
  return out.buffer;
}

export function decodeV1(data: ArrayBuffer): KernelMessage {
  const view = new DataView(data);
  const count = Number(view.getBigUint64(0, true));
  const offsets: number[] = [];
  for (let i = 0; i < count; i++) offsets.push(Number(view.getBigUint64(8 * (i + 1), true)));
  const slice = (i: number) => new Uint8Array(data, offsets[i]!, offsets[i + 1]! - offsets[i]!);
  const channel = decoder.decode(slice(0));
  const json = (i: number) => JSON.parse(decoder.decode(slice(i))) as Record<string, unknown>;
  const buffers: ArrayBuffer[] = [];
  for (let i = 5; i < count - 1; i++) buffers.push(slice(i).slice().buffer);
  return {
    channel,
    header: json(1) as unknown as Header,
    parent_header: json(2) as Partial<Header>,
    metadata: json(3),
    content: json(4),
    buffers,
  };
}

export function decodeLegacy(text: string): KernelMessage {
  const msg = JSON.parse(text) as KernelMessage;
  msg.buffers = msg.buffers ?? [];
  return msg;
}

export function encodeLegacy(msg: KernelMessage): string {
  return JSON.stringify({ ...msg, buffers: [] });
}
