import { describe, expect, it } from "vitest";

import { decodeLegacy, decodeV1, encodeLegacy, encodeV1, type KernelMessage, makeMessage } from "../src/wire";

// Frames made by jupyter_server's own serialize_msg_to_ws_v1 (jupyter_server 2.x):
// the bytes a runtime sends through the proxy, and the bytes it expects back.
const FROM_SERVER =
  "BwAAAAAAAABAAAAAAAAAAEUAAAAAAAAAxAAAAAAAAADUAAAAAAAAAOMAAAAAAAAAAAEAAAAAAAADAQAAAAAAAGlvcHVieyJtc2dfaWQiOiAibTEiLCAibXNnX3R5cGUiOiAiZGlzcGxheV9kYXRhIiwgInVzZXJuYW1lIjogInUiLCAic2Vzc2lvbiI6ICJzIiwgImRhdGUiOiAiMjAyNC0wMS0wMVQwMDowMDowMFoiLCAidmVyc2lvbiI6ICI1LjMifXsibXNnX2lkIjogInAxIn17ImsiOiAiXHUwMGU5In17ImRhdGEiOiB7InRleHQvcGxhaW4iOiAieCJ9fQABAg==";
const EXECUTE_REQUEST =
  "BwAAAAAAAABAAAAAAAAAAEUAAAAAAAAAyQAAAAAAAADLAAAAAAAAAM0AAAAAAAAA5gAAAAAAAADnAAAAAAAAAHNoZWxseyJtc2dfaWQiOiJtMiIsIm1zZ190eXBlIjoiZXhlY3V0ZV9yZXF1ZXN0IiwidXNlcm5hbWUiOiJjbG91ZGJvb2siLCJzZXNzaW9uIjoiczIiLCJkYXRlIjoiMjAyNC0wMS0wMVQwMDowMDowMC4wMDBaIiwidmVyc2lvbiI6IjUuMyJ9e317fXsiY29kZSI6InByaW50KFwiaMOpXCIpIn3/";

const bytes = (b64: string) => Uint8Array.from(Buffer.from(b64, "base64"));

describe("v1 kernel websocket framing", () => {
  it("round-trips a message with buffers", () => {
    const msg = makeMessage("comm_msg", { data: { x: 1 } }, "session-1", "shell");
    msg.buffers = [new Uint8Array([1, 2, 3]).buffer, new Uint8Array([]).buffer];
    msg.parent_header = { msg_id: "parent" };
    msg.metadata = { note: "ü" };
    const decoded = decodeV1(encodeV1(msg));
    expect(decoded.channel).toBe("shell");
    expect(decoded.header).toEqual(msg.header);
    expect(decoded.parent_header).toEqual({ msg_id: "parent" });
    expect(decoded.metadata).toEqual({ note: "ü" });
    expect(decoded.content).toEqual({ data: { x: 1 } });
    expect(decoded.buffers.map((b) => Array.from(new Uint8Array(b)))).toEqual([[1, 2, 3], []]);
  });

  it("decodes a frame serialized by jupyter_server", () => {
    const msg = decodeV1(bytes(FROM_SERVER).buffer);
    expect(msg.channel).toBe("iopub");
    expect(msg.header.msg_type).toBe("display_data");
    expect(msg.parent_header).toEqual({ msg_id: "p1" });
    expect(msg.metadata).toEqual({ k: "é" });
    expect(msg.content).toEqual({ data: { "text/plain": "x" } });
    expect(msg.buffers.map((b) => Array.from(new Uint8Array(b)))).toEqual([[0, 1, 2]]);
  });

  it("decodes a frame that is a view into a larger buffer", () => {
    const raw = bytes(FROM_SERVER);
    const padded = new Uint8Array(raw.length + 16);
    padded.set(raw, 8);
    const copy = padded.slice(8, 8 + raw.length);
    expect(decodeV1(copy.buffer).content).toEqual({ data: { "text/plain": "x" } });
  });

  it("encodes byte for byte what jupyter_server serializes", () => {
    const msg: KernelMessage = {
      channel: "shell",
      header: {
        msg_id: "m2",
        msg_type: "execute_request",
        username: "cloudbook",
        session: "s2",
        date: "2024-01-01T00:00:00.000Z",
        version: "5.3",
      },
      parent_header: {},
      metadata: {},
      content: { code: 'print("hé")' },
      buffers: [new Uint8Array([255]).buffer],
    };
    expect(Array.from(new Uint8Array(encodeV1(msg)))).toEqual(Array.from(bytes(EXECUTE_REQUEST)));
  });

  it("reads and writes the legacy JSON protocol", () => {
    const msg = makeMessage("kernel_info_request", {}, "s");
    const text = encodeLegacy(msg);
    expect(JSON.parse(text)).toMatchObject({ channel: "shell", header: msg.header, buffers: [] });
    const back = decodeLegacy(JSON.stringify({ ...JSON.parse(text), buffers: undefined }));
    expect(back.buffers).toEqual([]);
    expect(back.header).toEqual(msg.header);
  });
});
