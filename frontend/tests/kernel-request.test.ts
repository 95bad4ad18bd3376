// KernelClient.request / subscribe over a stand-in WebSocket (legacy JSON framing).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { KernelClient } from "../src/kernel";
import type { KernelMessage } from "../src/wire";

class FakeSocket {
  static last: FakeSocket;
  static OPEN = 1;
  readyState = 0;
  protocol = "";
  binaryType = "";
  sent: KernelMessage[] = [];
  onopen: () => void = () => {};
  onmessage: (e: { data: string }) => void = () => {};
  onclose: () => void = () => {};
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as KernelMessage);
  }
  close() {}
  open() {
    this.readyState = 1;
    this.onopen();
  }
  receive(msg: Partial<KernelMessage>) {
    this.onmessage({ data: JSON.stringify({ metadata: {}, content: {}, buffers: [], ...msg }) });
  }
}

beforeEach(() => vi.stubGlobal("WebSocket", FakeSocket));
afterEach(() => vi.unstubAllGlobals());

const reply = (parent: KernelMessage, type: string, content: Record<string, unknown>) => ({
  channel: parent.channel,
  header: { msg_id: "r1", msg_type: type, username: "", session: "", date: "", version: "5.3" },
  parent_header: parent.header,
  content,
});

describe("KernelClient.request", () => {
  it("resolves with the reply to the sent message; subscribers see everything", async () => {
    const kernel = new KernelClient("ws://x/api/kernels/k/channels");
    const ws = FakeSocket.last;
    ws.open();
    const seen: string[] = [];
    const stop = kernel.subscribe((m) => seen.push(m.header.msg_type));
    const pending = kernel.request("complete_request", { code: "os.pa", cursor_pos: 5 });
    const sent = ws.sent.find((m) => m.header.msg_type === "complete_request")!;
    expect(sent.channel).toBe("shell");
    expect(sent.content).toEqual({ code: "os.pa", cursor_pos: 5 });
    // A message with another parent does not resolve it.
    ws.receive({ ...reply(sent, "status", { execution_state: "busy" }), channel: "iopub" });
    ws.receive(reply(sent, "complete_reply", { status: "ok", matches: ["path"] }));
    const got = await pending;
    expect(got.header.msg_type).toBe("complete_reply");
    expect(got.content["matches"]).toEqual(["path"]);
    expect(seen).toEqual(["status", "complete_reply"]);
    stop();
    ws.receive(reply(sent, "complete_reply", {}));
    expect(seen.length).toBe(2);
  });

  it("rejects when the kernel restarts or the client closes", async () => {
    const kernel = new KernelClient("ws://x/api/kernels/k/channels");
    const ws = FakeSocket.last;
    ws.open();
    const a = kernel.request("inspect_request", { code: "len(", cursor_pos: 4, detail_level: 0 });
    ws.receive({
      channel: "iopub",
      header: { msg_id: "s", msg_type: "status", username: "", session: "", date: "", version: "5.3" },
      parent_header: {},
      content: { execution_state: "restarting" },
    });
    await expect(a).rejects.toThrow();
    const b = kernel.request("kernel_info_request", {}, "control");
    expect(ws.sent.at(-1)!.channel).toBe("control");
    kernel.close();
    await expect(b).rejects.toThrow();
  });
});
