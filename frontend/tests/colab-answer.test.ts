// @vitest-environment jsdom
// The one Colab-request switch (src/colab/answer.ts) and the two paths that use it: the
// page's own kernel socket (ColabRequests, answering on stdin) and the requests the service
// forwards through the live document for cells it runs (ServiceRuns, answering by POST).
import { YNotebook } from "@jupyter/ydoc";
import { afterEach, describe, expect, it, vi } from "vitest";

import { type AnswerContext, answerColabRequest, errorText } from "../src/colab/answer";
import { ColabRequests } from "../src/colab/requests";
import type { KernelClient } from "../src/kernel";
import type { LiveSaver } from "../src/live/live-saver";
import { ServiceRuns } from "../src/live/service-runs";
import { type KernelMessage, makeMessage } from "../src/wire";

function context(evalScript: AnswerContext["evalScript"] = async () => 2) {
  const unassigned: string[] = [];
  const ctx: AnswerContext = {
    notebookId: "nb1",
    evalScript,
    unassign: () => void unassigned.push("unassign"),
  };
  return { ctx, unassigned };
}

function serve(body: unknown) {
  const asked: { url: string; method: string; body: unknown }[] = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit = {}) => {
    asked.push({ url, method: init.method ?? "GET", body: init.body ? JSON.parse(String(init.body)) : null });
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { "Content-Type": "application/json" },
    });
  });
  return asked;
}

afterEach(() => vi.unstubAllGlobals());

describe("answerColabRequest", () => {
  it("eval_js: the script's value, null for undefined, the error text for a throw", async () => {
    const { ctx } = context(async (script) => (script === "1+1" ? 2 : undefined));
    expect(await answerColabRequest("cell_javascript_eval", { script: "1+1" }, ctx)).toEqual({ data: 2 });
    expect(await answerColabRequest("cell_javascript_eval", { script: "x" }, ctx)).toEqual({ data: null });
    const failing = context(() => Promise.reject(new TypeError("boom"))).ctx;
    expect(await answerColabRequest("cell_javascript_eval", {}, failing)).toEqual({
      error: "TypeError: boom",
    });
  });

  it("GetSecret asks the service for this notebook's secret", async () => {
    const asked = serve({ exists: false });
    const { ctx } = context();
    expect(await answerColabRequest("GetSecret", { key: "TOKEN" }, ctx)).toEqual({
      data: { exists: false },
    });
    expect(asked.map((a) => a.url)).toEqual(["/api/notebooks/nb1/secrets/TOKEN"]);
  });

  it("unassign_runtime answers at once and hands the deletion to the path", async () => {
    const { ctx, unassigned } = context();
    expect(await answerColabRequest("unassign_runtime", {}, ctx)).toEqual({ data: null });
    expect(unassigned).toEqual(["unassign"]);
  });

  it("an unknown type gets an error answer, never a rejection", async () => {
    const { ctx } = context();
    expect(await answerColabRequest("no_such_request", {}, ctx)).toEqual({
      error: "Unsupported Colab request: no_such_request",
    });
  });

  it("error texts: Error name and message, a thrown object's message, anything else", () => {
    expect(errorText(new RangeError("far"))).toBe("RangeError: far");
    expect(errorText({ ename: "X", message: "from a frame" })).toBe("from a frame");
    expect(errorText("plain")).toBe("plain");
  });
});

/** A LiveSaver with a real YNotebook and a provider that is never connected. */
function liveSaver(): LiveSaver {
  const ynb = new YNotebook();
  const provider = {
    awareness: { on: () => {}, getStates: () => new Map() },
    messageHandlers: [],
    on: () => {},
  };
  return { ynb, provider, onReset: () => {}, changed: () => {} } as unknown as LiveSaver;
}

/** The same two requests, down both paths: the answers the kernel gets are the same. */
describe("both paths answer through it", () => {
  const requests = [
    { type: "cell_javascript_eval", request: { script: "1+1" } },
    { type: "no_such_request", request: {} },
  ];
  const expected = [{ data: 2 }, { error: "Unsupported Colab request: no_such_request" }];

  it("the page's kernel socket: input_reply on stdin", async () => {
    const sent: KernelMessage[] = [];
    const kernel = {
      session: "s1",
      sendMessage: (m: KernelMessage) => sent.push(m),
      subscribe: () => () => {},
    } as unknown as KernelClient;
    const dispatcher = new ColabRequests(kernel, { notebookId: "nb1", deleteRuntime: async () => {} });
    const cell = { id: "c1", outputsEl: document.createElement("div"), evalScript: async () => 2 };
    requests.forEach(({ type, request }, i) => {
      const msg = makeMessage("colab_request", { request }, "k", "iopub");
      msg.metadata = { colab_request_type: type, colab_msg_id: `m${i}` };
      dispatcher.handle(msg, cell);
    });
    await vi.waitFor(() => expect(sent).toHaveLength(2));
    // Each answer goes when it is ready (an eval may take longer than an unknown type).
    const values = sent.map((m) => m.content["value"] as { colab_msg_id: string });
    expect(values.sort((a, b) => a.colab_msg_id.localeCompare(b.colab_msg_id))).toEqual(
      expected.map((outcome, i) => ({ type: "colab_reply", colab_msg_id: `m${i}`, ...outcome })),
    );
  });

  it("the live document (cells the service runs): POST /input", async () => {
    const asked = serve({});
    const saver = liveSaver();
    const runs = new ServiceRuns(saver, {
      notebookId: "nb1",
      view: () => undefined,
      evalScript: async (cellId) => (cellId === "c1" ? 2 : null),
      me: () => ({ id: 7 }),
      deleteRuntime: async () => {},
      runEnded: () => {},
    });
    const pending = saver.ynb.ydoc.getMap("executor_requests");
    saver.ynb.ydoc.transact(() => {
      requests.forEach(({ type, request }, i) =>
        pending.set(`r${i}`, { kind: "colab", cell_id: "c1", user_id: 7, client_id: null, type, request }),
      );
    });
    runs.sync();
    await vi.waitFor(() => expect(asked).toHaveLength(2));
    expect(asked.map((a) => a.url)).toEqual(["/api/notebooks/nb1/input", "/api/notebooks/nb1/input"]);
    const bodies = asked.map((a) => a.body as { request_id: string });
    expect(bodies.sort((a, b) => a.request_id.localeCompare(b.request_id))).toEqual(
      expected.map((value, i) => ({ request_id: `r${i}`, value })),
    );
  });
});
