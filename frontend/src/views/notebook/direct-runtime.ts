// "Connect to a local runtime": the page talks to a Jupyter server the user runs (on
// their own computer, say) straight from the browser, as Colab does. The service is not
// in the path, so a runtime on a laptop works with a service on another host. The server
// must allow this page's origin: `--ServerApp.allow_origin=<origin>` (docs/runtime-types.md).
import type { SessionOut } from "../../api-types";

export class DirectRuntimeError extends Error {}

export interface DirectServer {
  /** http(s)://host:port[/base], no trailing slash. */
  base: string;
  token: string;
}

const UI_PAGES = ["/lab", "/tree", "/notebooks"];

/** The command that starts a Jupyter server this page may connect to. */
export function serverCommand(origin = location.origin): string {
  return (
    `jupyter server --ServerApp.allow_origin='${origin}' --port=8888 ` +
    "--ServerApp.port_retries=0"
  );
}

/** `http://localhost:8888/lab?token=abc` → {base: "http://localhost:8888", token: "abc"}. */
export function parseServerUrl(text: string): DirectServer {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new DirectRuntimeError(
      "Paste the URL the server printed, like http://localhost:8888/?token=…",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new DirectRuntimeError("The URL must start with http:// or https://.");
  }
  if (url.username || url.password) {
    throw new DirectRuntimeError("Put no user name or password in the URL; use its token.");
  }
  let path = url.pathname.replace(/\/+$/, "");
  for (const page of UI_PAGES) if (path.endsWith(page)) path = path.slice(0, -page.length);
  return { base: url.origin + path, token: url.searchParams.get("token") ?? "" };
}

const refused = () =>
  new DirectRuntimeError(
    "The Jupyter server refused the token. Paste the whole URL it printed, with ?token=…",
  );

/** A kernel on a Jupyter server the browser reaches by itself. */
export class DirectRuntime {
  kernelId: string | null = null;

  constructor(readonly server: DirectServer) {}

  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.server.token) headers["Authorization"] = `token ${this.server.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(this.server.base + path, {
        method,
        headers,
        mode: "cors",
        credentials: "omit",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      // Jupyter's 401/403 answers carry no CORS header, so a refused token looks like a
      // network error here; its version endpoint (no auth, with CORS) tells them apart.
      if (await this.reachable()) throw refused();
      throw new DirectRuntimeError(
        `Could not reach a Jupyter server at ${this.server.base}. Is it running, and was it ` +
          `started with --ServerApp.allow_origin='${location.origin}'?`,
      );
    }
    if (response.status === 401 || response.status === 403) throw refused();
    if (!response.ok && response.status !== 404) {
      throw new DirectRuntimeError(`The Jupyter server answered ${response.status}.`);
    }
    return response;
  }

  private async reachable(): Promise<boolean> {
    try {
      const r = await fetch(`${this.server.base}/api`, { mode: "cors", credentials: "omit" });
      return r.ok;
    } catch {
      return false;
    }
  }

  /** Starts a kernel there; the session's channels URL points at the server itself. */
  async start(): Promise<SessionOut> {
    const r = await this.call("POST", "/api/kernels", { name: "python3" });
    const model = (await r.json().catch(() => null)) as { id?: unknown } | null;
    if (!r.ok || typeof model?.id !== "string") {
      throw new DirectRuntimeError("The Jupyter server could not start a Python kernel.");
    }
    this.kernelId = model.id;
    const ws = this.server.base.replace(/^http/, "ws");
    const query = this.server.token ? `?token=${encodeURIComponent(this.server.token)}` : "";
    return {
      runtime_id: "local-runtime",
      kernel_id: model.id,
      channels_url: `${ws}/api/kernels/${encodeURIComponent(model.id)}/channels${query}`,
      accelerator: "none",
      gpu_type: null,
      shape: "standard",
      kind: "attached",
    };
  }

  async action(action: "interrupt" | "restart"): Promise<void> {
    if (!this.kernelId) return;
    const r = await this.call("POST", `/api/kernels/${encodeURIComponent(this.kernelId)}/${action}`);
    if (!r.ok) throw new DirectRuntimeError(`Could not ${action} the kernel.`);
  }

  /** False once the kernel is gone (server restarted or stopped). */
  async alive(): Promise<boolean> {
    if (!this.kernelId) return false;
    try {
      const r = await this.call("GET", `/api/kernels/${encodeURIComponent(this.kernelId)}`);
      return r.ok;
    } catch {
      return false;
    }
  }

  async shutdown(): Promise<void> {
    const id = this.kernelId;
    this.kernelId = null;
    if (id) await this.call("DELETE", `/api/kernels/${encodeURIComponent(id)}`).catch(() => null);
  }
}

/** Loads cloudbook's google.colab into the kernel when the server has the package
 * (`pip install cloudbook-colab`): forms' outputs, files, widgets helpers. */
export const LOAD_COLAB =
  "try:\n    get_ipython().extension_manager.load_extension('google.colab')\n" +
  "except Exception:\n    pass\n";
