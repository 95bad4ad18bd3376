import { describe, expect, it } from "vitest";

import { CommRouter } from "../src/colab/comms";
import type { KernelClient } from "../src/kernel";
import { type KernelMessage, makeMessage } from "../src/wire";

// A stand-in for the socket side of KernelClient: what was sent, and a way to deliver.
function kernelStub() {
  const sent: KernelMessage[] = [];
  let listener: (msg: KernelMessage) => void = () => {};
  const kernel = {
    session: "s",
    sendMessage: (msg: KernelMessage) => sent.push(msg),
    subscribe: (fn: (msg: KernelMessage) => void) => {
      listener = fn;
      return () => {};
    },
  } as unknown as KernelClient;
  const deliver = (type: string, content: Record<string, unknown>, buffers: ArrayBuffer[] = []) => {
    const msg = makeMessage(type, content, "k", "iopub");
    msg.buffers = buffers;
    listener(msg);
  };
  return { kernel, sent, deliver };
}

describe("comm routing", () => {
  it("sends comm_open and routes messages and the close to the opener only", () => {
    const { kernel, sent, deliver } = kernelStub();
    const router = new CommRouter(kernel);
    const got: string[] = [];
    const id = router.open("t", { a: 1 }, [new ArrayBuffer(2)], {
      onMsg: (data, buffers) => got.push(`${JSON.stringify(data)}/${buffers.length}`),
      onClose: () => got.push("closed"),
    });
    expect(sent[0]!.header.msg_type).toBe("comm_open");
    expect(sent[0]!.content).toEqual({ comm_id: id, target_name: "t", data: { a: 1 } });
    expect(sent[0]!.buffers).toHaveLength(1);
    deliver("comm_msg", { comm_id: "other", data: {} });
    deliver("comm_msg", { comm_id: id, data: { b: 2 } }, [new ArrayBuffer(1)]);
    router.send(id, { c: 3 });
    deliver("comm_close", { comm_id: id, data: {} });
    router.send(id, { late: true });
    expect(got).toEqual(['{"b":2}/1', "closed"]);
    expect(sent.map((m) => m.header.msg_type)).toEqual(["comm_open", "comm_msg"]);
  });

  it("ends every comm when the kernel goes away, sending nothing", () => {
    const { kernel, sent } = kernelStub();
    const router = new CommRouter(kernel);
    const closed: string[] = [];
    const handlers = (name: string) => ({ onMsg: () => {}, onClose: () => closed.push(name) });
    const a = router.open("t", {}, [], handlers("a"));
    router.open("t", {}, [], handlers("b"));
    router.endAll();
    expect(closed).toEqual(["a", "b"]);
    expect(router.owns(a)).toBe(false);
    expect(sent).toHaveLength(2); // the two comm_opens only
  });
});
