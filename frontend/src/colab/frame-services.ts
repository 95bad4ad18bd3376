// What the page does for an output frame, always for that frame's own cell:
// invokeFunction, comms, proxyPort, files.view and disconnect (docs/colab-protocol.md).
// A frame showing saved outputs (not run in this session) gets no kernel access.
import { api } from "../api";
import type { KernelClient } from "../kernel";
import type { FrameHost, FrameMessage, OutputFrame } from "../views/output-frame";
import { commRouter } from "./comms";

export interface ExecuteOutcome {
  reply: Record<string, unknown>;
  result: Record<string, unknown> | null;
}

export interface CellServices {
  /** The frame's cell: what its requests make the kernel print goes there. */
  cellId: string;
  kernel(): KernelClient | null;
  /** Runs code for the cell's outputs: its streams, displays and errors join the cell's
   * outputs; resolves with the reply content and the execute_result content, if any. */
  execute(code: string): Promise<ExecuteOutcome>;
  runtimeId(): Promise<string | null>;
  disconnect(): void;
}

/** The execute_request code of google.colab.kernel.invokeFunction (protocol doc §3). */
export function invokeCode(name: string, args: unknown, kwargs: unknown): string {
  return (
    "__import__('google.colab.output._js', fromlist=['_'])._invoke_function(" +
    JSON.stringify(name) +
    ", " +
    JSON.stringify(JSON.stringify(args)) +
    ", " +
    JSON.stringify(JSON.stringify(kwargs)) +
    ")"
  );
}

function buffersOf(value: unknown): ArrayBuffer[] {
  if (!Array.isArray(value)) return [];
  return value.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}

const proxyUrls = new Map<string, Promise<string>>();

async function proxyPort(services: CellServices, port: number, cache: boolean): Promise<string> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`Invalid port: ${port}`);
  const runtime = await services.runtimeId();
  if (!runtime) throw new Error("Not connected to a runtime");
  const key = `${runtime}:${port}`;
  const cached = cache ? proxyUrls.get(key) : undefined;
  if (cached) return cached;
  const url = api<{ url: string }>(
    "POST",
    `/api/runtimes/${encodeURIComponent(runtime)}/ports/${port}/url`,
  ).then((r) => r.url);
  proxyUrls.set(key, url);
  url.catch(() => proxyUrls.delete(key));
  return url;
}

function serve(frame: OutputFrame, services: CellServices): void {
  const comms = new Set<string>();
  const kernel = () => {
    const k = services.kernel();
    if (!frame.live || !k) throw new Error("Not connected to the runtime");
    return k;
  };
  const methods: Record<string, (p: Record<string, unknown>) => Promise<unknown>> = {
    async invoke(p) {
      kernel();
      const code = invokeCode(String(p["name"]), p["args"] ?? [], p["kwargs"] ?? {});
      const { reply, result } = await services.execute(code);
      if (reply["status"] !== "ok") {
        throw { ename: String(reply["ename"] ?? "Error"), evalue: String(reply["evalue"] ?? "") };
      }
      return { data: result?.["data"] ?? {}, metadata: result?.["metadata"] ?? {} };
    },
    async "comm-open"(p) {
      const target = String(p["target"]);
      const id = commRouter(kernel()).open(
        target,
        p["data"] ?? {},
        buffersOf(p["buffers"]),
        {
        onMsg: (data, buffers) => frame.post("comm-msg", { comm_id: id, data, buffers }),
        onClose: () => {
          comms.delete(id);
          frame.post("comm-close", { comm_id: id });
        },
        },
        services.cellId,
      );
      comms.add(id);
      return id;
    },
    async "proxy-port"(p) {
      kernel();
      return proxyPort(services, Number(p["port"]), p["cache"] !== false);
    },
  };
  frame.on("call", (msg: FrameMessage) => {
    const id = msg["id"];
    const method = methods[String(msg["method"])];
    const params = (msg["params"] ?? {}) as Record<string, unknown>;
    const answer = method ? method(params) : Promise.reject(new Error("Unknown request"));
    answer.then(
      (value) => frame.post("reply", { id, ok: true, value }),
      (e: unknown) => {
        const error = e instanceof Error ? e.message : e;
        frame.post("reply", { id, ok: false, error });
      },
    );
  });
  // Only comms this frame opened: a frame cannot talk on another cell's comm.
  frame.on("comm-send", (msg) => {
    const id = String(msg["comm_id"]);
    const k = services.kernel();
    if (comms.has(id) && k) {
      commRouter(k).send(id, msg["data"] ?? {}, buffersOf(msg["buffers"]), services.cellId);
    }
  });
  frame.on("comm-close", (msg) => {
    const id = String(msg["comm_id"]);
    const k = services.kernel();
    if (comms.delete(id) && k) commRouter(k).close(id, {}, services.cellId);
  });
  frame.on("dispose", () => {
    const k = services.kernel();
    for (const id of comms) if (k) commRouter(k).close(id);
    comms.clear();
  });
  frame.on("files-view", (msg) => {
    if (!frame.live) return;
    const path = String(msg["path"] ?? "");
    window.dispatchEvent(new CustomEvent("cloudbook:files-view", { detail: { path } }));
  });
  frame.on("disconnect", () => {
    if (frame.live) services.disconnect();
  });
}

export function frameHost(live: () => boolean, services: CellServices): FrameHost {
  return { live, serve: (frame) => serve(frame, services) };
}
