// @vitest-environment jsdom
// The Colab request dispatcher's replies (docs/colab-protocol.md §1), with a recording
// stand-in for the kernel connection: what goes out on stdin, and in which order.
import { describe, expect, it, vi } from "vitest";

import { type ColabCell, ColabRequests } from "../src/colab/requests";
import type { KernelClient } from "../src/kernel";
import { type KernelMessage, makeMessage } from "../src/wire";

function setup(evalScript: ColabCell["evalScript"] = async () => 42) {
  const sent: KernelMessage[] = [];
  const listeners = new Set<(m: KernelMessage) => void>();
  const kernel = {
    session: "s1",
    sendMessage: (m: KernelMessage) => sent.push(m),
    subscribe: (fn: (m: KernelMessage) => void) => (listeners.add(fn), () => listeners.delete(fn)),
  } as unknown as KernelClient;
  const events: string[] = [];
  const dispatcher = new ColabRequests(kernel, {
    notebookId: "nb1",
    deleteRuntime: async () => void events.push("delete"),
  });
  const outputsEl = document.createElement("div");
  document.body.replaceChildren(outputsEl);
  const cell: ColabCell = { id: "c1", outputsEl, evalScript };
  const parent = makeMessage("execute_request", {}, "s1");
  const request = (type: string, body: unknown, id = crypto.randomUUID()) => {
    const msg = makeMessage("colab_request", { request: body }, "k", "iopub");
    msg.metadata = { colab_request_type: type, colab_msg_id: id };
    msg.parent_header = parent.header;
    dispatcher.handle(msg, cell);
    return id;
  };
  const emit = (m: KernelMessage) => listeners.forEach((fn) => fn(m));
  const values = () => sent.map((m) => m.content["value"]);
  return { dispatcher, sent, values, request, events, parent, emit, outputsEl };
}

describe("colab requests", () => {
  it("cell_javascript_eval: the value, on stdin, once", async () => {
    const t = setup(async (script) => (script === "1+1" ? 2 : undefined));
    const id = t.request("cell_javascript_eval", { script: "1+1" });
    const none = t.request("cell_javascript_eval", { script: "void 0" });
    await vi.waitFor(() => expect(t.sent).toHaveLength(2));
    expect(t.sent.every((m) => m.channel === "stdin" && m.header.msg_type === "input_reply")).toBe(
      true,
    );
    expect(t.values()).toEqual([
      { type: "colab_reply", colab_msg_id: id, data: 2 },
      { type: "colab_reply", colab_msg_id: none, data: null },
    ]);
  });

  it("a failing script answers with its error text", async () => {
    const t = setup(() => Promise.reject("Error: boom"));
    const id = t.request("cell_javascript_eval", { script: "throw" });
    await vi.waitFor(() => expect(t.sent).toHaveLength(1));
    expect(t.values()[0]).toEqual({ type: "colab_reply", colab_msg_id: id, error: "Error: boom" });
  });

  it("GetSecret without such a secret, and unknown types, get answers", async () => {
    // The service's answer for a key the viewer has no secret for (tests/e2e/test_secrets.py
    // covers the real service); what this checks is the reply the kernel gets.
    const asked: string[] = [];
    vi.stubGlobal("fetch", async (url: string) => {
      asked.push(url);
      return new Response(JSON.stringify({ exists: false }), {
        status: 200,
        headers: { "Content-Type": "application/json" },
      });
    });
    const t = setup();
    const secret = t.request("GetSecret", { key: "NOPE" });
    const odd = t.request("no_such_request", {});
    await vi.waitFor(() => expect(t.sent).toHaveLength(2));
    expect(t.values()).toContainEqual({
      type: "colab_reply",
      colab_msg_id: odd,
      error: "Unsupported Colab request: no_such_request",
    });
    expect(t.values()).toContainEqual({
      type: "colab_reply",
      colab_msg_id: secret,
      data: { exists: false },
    });
    expect(asked).toEqual(["/api/notebooks/nb1/secrets/NOPE"]);
    vi.unstubAllGlobals();
  });

  it("request_auth: asks the viewer, then replies with the service's answer", async () => {
    const asked: { url: string; method: string }[] = [];
    const creds = { type: "service_account", client_email: "robot@p.example" };
    vi.stubGlobal("fetch", async (url: string, init: RequestInit = {}) => {
      asked.push({ url, method: init.method ?? "GET" });
      return new Response(JSON.stringify({ exists: true, credentials: creds }), {
        status: 200,
        headers: { "Content-Type": "application/json" },
      });
    });
    const t = setup();
    const allowed = t.request("request_auth", { authType: "auth_user_ephemeral" });
    await vi.waitFor(() => expect(document.querySelector('[data-testid="secret-prompt"]')).not.toBeNull());
    expect(document.body.textContent).toContain("Permit this notebook to access your Google credentials?");
    expect(asked).toEqual([]); // nothing is fetched before the viewer says yes
    (document.querySelector('[data-testid="secret-grant"]') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(t.sent).toHaveLength(1));
    expect(t.values()[0]).toEqual({
      type: "colab_reply",
      colab_msg_id: allowed,
      data: { exists: true, credentials: creds },
    });
    expect(asked).toEqual([{ url: "/api/notebooks/nb1/credentials/google", method: "POST" }]);

    const denied = t.request("request_auth", { authType: "auth_user_ephemeral" });
    await vi.waitFor(() => expect(document.querySelector('[data-testid="secret-deny"]')).not.toBeNull());
    (document.querySelector('[data-testid="secret-deny"]') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(t.sent).toHaveLength(2));
    expect(t.values()[1]).toEqual({
      type: "colab_reply",
      colab_msg_id: denied,
      error: "Error: The user did not permit this notebook to access their Google credentials.",
    });
    expect(asked).toHaveLength(1);
    vi.unstubAllGlobals();
  });

  it("unassign_runtime: the reply goes first, the runtime is deleted when the cell ends", async () => {
    const t = setup();
    const id = t.request("unassign_runtime", {});
    await vi.waitFor(() =>
      expect(t.values()).toEqual([{ type: "colab_reply", colab_msg_id: id, data: null }]),
    );
    expect(t.events).toEqual([]);
    const idle = makeMessage("status", { execution_state: "idle" }, "k", "iopub");
    idle.parent_header = t.parent.header;
    t.emit(idle);
    await vi.waitFor(() => expect(t.events).toEqual(["delete"]));
  });

  it("the stdin box: shown, masked, lines sent as plain strings, removed", async () => {
    vi.useFakeTimers();
    try {
      const t = setup();
      t.request("cell_display_stdin", { delayMillis: 500 });
      expect(document.querySelector("[data-testid=stdin-box]")).toBeNull();
      vi.advanceTimersByTime(500);
      const input = document.querySelector<HTMLInputElement>("[data-testid=stdin-input]")!;
      expect(t.outputsEl.nextElementSibling?.contains(input)).toBe(true); // under the outputs
      expect(input.type).toBe("text");
      t.request("cell_update_stdin", { echo: false });
      expect(input.type).toBe("password");
      input.value = "bob";
      input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
      expect(t.values()).toEqual(["bob\n"]);
      expect(input.value).toBe("");
      t.request("cell_remove_stdin", {});
      expect(document.querySelector("[data-testid=stdin-box]")).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it("a command that ends before the delay never shows the box", () => {
    vi.useFakeTimers();
    try {
      const t = setup();
      t.request("cell_display_stdin", { delayMillis: 500 });
      t.request("cell_remove_stdin", {});
      vi.advanceTimersByTime(1000);
      expect(document.querySelector("[data-testid=stdin-box]")).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it("after dispose, nothing is answered", async () => {
    const t = setup();
    t.dispatcher.dispose();
    t.request("cell_javascript_eval", { script: "1" });
    await Promise.resolve();
    expect(t.sent).toEqual([]);
  });
});
