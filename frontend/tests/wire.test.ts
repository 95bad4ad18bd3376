import { describe, expect, it } from "vitest";

import { decodeV1, encodeV1, makeMessage } from "../src/wire";

describe("v1 kernel websocket framing", () => {
  it("round-trips a message with buffers", () => {
    const msg = makeMessage("comm_msg", { data: { x: 1 } }, "session-1", "shell");
    msg.buffers = [new Uint8Array([1, 2, 3]).buffer, new Uint8Array([]).buffer];
    const decoded = decodeV1(encodeV1(msg));
    expect(decoded.channel).toBe("shell");
    expect(decoded.header).toEqual(msg.header);
    expect(decoded.content).toEqual({ data: { x: 1 } });
    expect(decoded.buffers.map((b) => Array.from(new Uint8Array(b)))).toEqual([[1, 2, 3], []]);
  });

  it("matches jupyter_server's layout: offset count, offsets, channel, parts", () => {
    const msg = makeMessage("execute_request", { code: "1+1" }, "s", "shell");
    const bytes = new Uint8Array(encodeV1(msg));
    const view = new DataView(bytes.buffer);
    const count = Number(view.getBigUint64(0, true));
    expect(count).toBe(6); // channel start + end of channel, header, parent, metadata, content
    const first = Number(view.getBigUint64(8, true));
    expect(first).toBe(8 * (count + 1));
    expect(new TextDecoder().decode(bytes.slice(first, first + 5))).toBe("shell");
    expect(Number(view.getBigUint64(8 * count, true))).toBe(bytes.length);
  });
});
