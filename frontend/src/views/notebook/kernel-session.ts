// The notebook's runtime connection: attaches a runtime on first use, opens the kernel
// socket, notices when the runtime went away, interrupts/restarts, and shows the badge.
import { api, ApiError } from "../../api";
import type { QueuedOut, RuntimeOut, SessionOut } from "../../api-types";
import { KernelClient } from "../../kernel";
import { h } from "../dom";
import { type Indicator, INDICATOR_TEXT } from "../indicator";
import type { Banner } from "./banner";
import { DirectRuntime, DirectRuntimeError, LOAD_COLAB } from "./direct-runtime";

export type NoGpuChoice = "wait" | "cpu" | null;
const QUEUE_POLL_MS = 2000;
const isQueued = (r: SessionOut | QueuedOut): r is QueuedOut => "position" in r;

export type KernelAction = "interrupt" | "restart";

/** Colab's words when the kernel was killed for using all of the runtime's memory. */
export const OOM_MESSAGE = "Your session crashed after using all available RAM.";

export class KernelSession {
  readonly el = h("span", { class: "kernel-state", "data-testid": "kernel-state" });
  kernel: KernelClient | null = null;
  private session: Promise<SessionOut> | null = null;
  private restarting: Promise<void> | null = null;
  private everConnected = false;
  private kernelListeners: ((kernel: KernelClient) => void)[] = [];
  /** OOM kills of the current runtime already told (the count GET /api/runtimes/{id} gives). */
  private oomSeen: Promise<number> | null = null;
  /** The attached runtime, once the attach answered; null when there is none. */
  current: SessionOut | null = null;
  /** Called when `current` changes (the files panel and resources follow it). */
  onSession: (s: SessionOut | null) => void = () => {};
  /** Called with the badge's state each time it is repainted. */
  onIndicator: (state: Indicator) => void = () => {};
  /** No GPU free for a GPU notebook: wait in line, use the CPU this time, or give up. */
  onNoGpu: (message: string, canWait: boolean) => Promise<NoGpuChoice> = async () => null;
  /** A Jupyter server the browser talks to itself ("Connect to a local runtime"). */
  direct: DirectRuntime | null = null;

  constructor(
    private path: (rest?: string) => string,
    private banner: Banner,
  ) {
    this.show();
  }

  get attached(): boolean {
    return this.session !== null;
  }

  /** Attaches the notebook's runtime (once) and opens its kernel socket; during a
   * restart, resolves once the new kernel's socket is open. */
  connect(): Promise<SessionOut> {
    const s = this.attach();
    return this.restarting ? this.restarting.then(() => s) : s;
  }

  private attach(): Promise<SessionOut> {
    if (!this.session) {
      const session = this.direct ? this.direct.start() : this.requestSession();
      this.session = session;
      this.show();
      session.then(
        (s) => this.openKernel(s),
        () => {
          this.session = null;
          this.show();
        },
      );
    }
    return this.session;
  }

  /** POST /session; no GPU free: asks `onNoGpu`, then waits in line or uses the CPU. */
  private async requestSession(): Promise<SessionOut> {
    let body: { on_no_gpu: "wait" | "cpu" } | undefined;
    for (;;) {
      try {
        const r = await api<SessionOut | QueuedOut>("POST", this.path("/session"), body);
        return isQueued(r) ? await this.waitInLine(r) : r;
      } catch (e) {
        const noGpu = e instanceof ApiError && ["gpu_unavailable", "no_gpus"].includes(e.code);
        if (!noGpu || body) throw e;
        const choice = await this.onNoGpu(e.message, e.code === "gpu_unavailable");
        if (!choice) throw e;
        body = { on_no_gpu: choice };
      }
    }
  }

  private async waitInLine(queued: QueuedOut): Promise<SessionOut> {
    let q = queued;
    for (;;) {
      this.banner.show(
        `Waiting for a GPU: number ${q.position} in line. The notebook connects when one ` +
          "is free.",
        "runtime",
      );
      await new Promise((resolve) => window.setTimeout(resolve, QUEUE_POLL_MS));
      const r = await api<SessionOut | QueuedOut>("GET", this.path("/session"));
      if (!isQueued(r)) {
        this.banner.clear("runtime");
        return r;
      }
      q = r;
    }
  }

  /** Connects the page to a Jupyter server the browser reaches itself; the notebook's
   * hosted runtime, if any, is deleted. Throws DirectRuntimeError with what went wrong. */
  async connectDirect(runtime: DirectRuntime): Promise<void> {
    const s = await runtime.start(); // fails here (bad URL, token, CORS): nothing changes
    if (this.session && !this.direct) await this.deleteRuntime(true);
    else if (this.direct) await this.dropDirect();
    this.direct = runtime;
    this.session = Promise.resolve(s);
    this.openKernel(s);
    void this.kernel?.execute(LOAD_COLAB, { onIopub: () => {} }, { storeHistory: false });
  }

  /** A page that was away (reloaded, reopened) takes up the notebook's runtime again when
   * it is still running, and says so; true when it did. */
  async resume(): Promise<boolean> {
    if (this.session) return false;
    let s: SessionOut | QueuedOut;
    try {
      s = await api<SessionOut | QueuedOut>("GET", this.path("/session"));
    } catch {
      return false; // no runtime (404 no_session): the first run connects one
    }
    if (isQueued(s) || this.session) return false;
    this.session = Promise.resolve(s);
    this.openKernel(s);
    const news = "Reconnected to this notebook's runtime: it kept running.";
    this.banner.show(news, "runtime", "info");
    return true;
  }

  /** Uses a session the caller attached (a runtime by URL): the old kernel socket goes. */
  useSession(s: SessionOut): void {
    if (this.direct) void this.dropDirect();
    this.kernel?.close("The runtime was replaced.");
    this.session = Promise.resolve(s);
    this.openKernel(s);
    void this.kernel?.execute(LOAD_COLAB, { onIopub: () => {} }, { storeHistory: false });
  }

  /** Forgets the runtime after it was disconnected elsewhere (a runtime type change). */
  reset(message?: string): void {
    this.kernel?.close(message);
    this.kernel = null;
    this.session = null;
    if (this.current) {
      this.current = null;
      this.onSession(null);
    }
    this.show();
  }

  private async dropDirect(): Promise<void> {
    const direct = this.direct;
    this.direct = null;
    this.reset("Disconnected from the local runtime.");
    await direct?.shutdown();
  }

  private openKernel(s: SessionOut): void {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    this.everConnected = false;
    const url = /^wss?:/.test(s.channels_url)
      ? s.channels_url
      : `${scheme}://${location.host}${s.channels_url}`;
    const kernel = new KernelClient(url);
    if (this.current?.runtime_id !== s.runtime_id) this.oomSeen = this.oomKills(s);
    kernel.onState = () => {
      this.show();
      const state = kernel.kernelState;
      if ((state === "restarting" || state === "dead") && !this.restarting) {
        void this.checkCrash(kernel, s);
      }
    };
    kernel.onDropped = () => void this.checkSession(kernel, s);
    this.kernel = kernel;
    for (const fn of this.kernelListeners) fn(kernel);
    // A direct runtime has no files or resources the service could show.
    if (this.direct) return this.show();
    if (this.current !== s) {
      this.current = s;
      this.onSession(s);
    }
    this.show();
  }

  private async oomKills(s: SessionOut): Promise<number> {
    try {
      const r = await api<RuntimeOut>("GET", `/api/runtimes/${encodeURIComponent(s.runtime_id)}`);
      return r.oom_kills;
    } catch {
      return 0;
    }
  }

  /** The kernel died without being asked to: if the runtime's memory ran out, say so as
   * Colab does; then talk to the fresh kernel the runtime starts over a fresh socket. */
  private async checkCrash(kernel: KernelClient, s: SessionOut): Promise<void> {
    const seen = this.oomSeen;
    if (!seen) return;
    const kills = await this.oomKills(s);
    const before = await seen;
    if (this.kernel !== kernel || kills <= before) return;
    this.oomSeen = Promise.resolve(kills);
    this.banner.show(OOM_MESSAGE, "runtime");
    kernel.close("The kernel was restarted after running out of memory.");
    this.openKernel(s);
  }

  /** Calls `fn` with every new KernelClient (first connect, new runtime, restart). */
  onKernel(fn: (kernel: KernelClient) => void): () => void {
    this.kernelListeners.push(fn);
    if (this.kernel) fn(this.kernel);
    return () => {
      this.kernelListeners = this.kernelListeners.filter((f) => f !== fn);
    };
  }

  /** After a dropped socket: if the notebook's runtime is gone (reclaimed, deleted
   * elsewhere), stop retrying; the next run attaches a fresh one. */
  private async checkSession(kernel: KernelClient, s: SessionOut): Promise<void> {
    let gone = false;
    if (this.direct) {
      gone = !(await this.direct.alive());
    } else {
      try {
        const now = await api<SessionOut>("GET", this.path("/session"));
        gone = now.kernel_id !== s.kernel_id || now.runtime_id !== s.runtime_id;
      } catch (e) {
        gone = e instanceof ApiError && e.status === 404;
      }
    }
    if (!gone || this.kernel !== kernel) return;
    this.kernel = null;
    this.session = null;
    this.current = null;
    this.onSession(null);
    kernel.close("The runtime was disconnected.");
    this.banner.show("The runtime was disconnected. Running a cell connects a new one.", "runtime");
    this.show();
  }

  /** Interrupts or restarts the kernel; false when there is none or it failed. Runs
   * queued meanwhile wait for a restart to finish. */
  action(action: KernelAction): Promise<boolean> {
    if (!this.session) return Promise.resolve(false);
    const done = this.request(action, this.session);
    if (action === "restart") {
      const restarting = done.then(() => undefined);
      this.restarting = restarting;
      this.show();
      void restarting.then(() => {
        if (this.restarting === restarting) this.restarting = null;
        this.show();
      });
    }
    return done;
  }

  private async request(action: KernelAction, session: Promise<SessionOut>): Promise<boolean> {
    try {
      const s = await session;
      if (this.direct) await this.direct.action(action);
      else await api("POST", `/api/runtimes/${s.runtime_id}/kernels/${s.kernel_id}/${action}`);
      if (action === "restart" && this.kernel) {
        // A fresh socket: the old one's iopub subscription can miss the new kernel's
        // first messages (ZMQ late joiner), which would leave the next run hanging.
        this.kernel.close("The runtime was restarted.");
        this.openKernel(s);
      }
      return true;
    } catch (e) {
      this.banner.show(
        e instanceof ApiError || e instanceof DirectRuntimeError
          ? e.message
          : `Could not ${action} the kernel.`,
        "runtime",
      );
      return false;
    }
  }

  private indicator(): Indicator {
    const k = this.kernel;
    if (this.restarting) return "restarting";
    if (!k) return this.session ? "connecting" : "disconnected";
    if (k.connection === "connected") this.everConnected = true;
    if (k.connection !== "connected") return this.everConnected ? "reconnecting" : "connecting";
    if (k.kernelState === "busy" || k.kernelState === "dead" || k.kernelState === "restarting") {
      return k.kernelState;
    }
    return "idle";
  }

  show(): void {
    const state = this.indicator();
    this.el.textContent = INDICATOR_TEXT[state];
    this.el.dataset["state"] = state;
    this.onIndicator(state);
    if (this.direct && state !== "disconnected") {
      this.el.textContent += " (local)"; // the user's own server, not the service's
      this.el.title = `Local runtime: ${this.direct.server.base}`;
    }
  }

  /** Colab's "Disconnect and delete runtime" (also what runtime.unassign() asks for). */
  async deleteRuntime(quiet = false): Promise<void> {
    if (this.direct) {
      await this.dropDirect();
      if (!quiet) this.banner.show("Disconnected from the local runtime.", "runtime", "info");
      return;
    }
    const session = this.session;
    if (!session) return;
    let s: SessionOut;
    try {
      s = await session;
    } catch {
      return;
    }
    if (this.session !== session) return;
    this.kernel?.close("The runtime was deleted.");
    this.kernel = null;
    this.session = null;
    this.current = null;
    this.onSession(null);
    this.show();
    try {
      await api("DELETE", `/api/runtimes/${encodeURIComponent(s.runtime_id)}`);
      const news = "Runtime deleted. Running a cell connects a new one.";
      if (!quiet) this.banner.show(news, "runtime", "info");
    } catch (e) {
      this.banner.show(
        e instanceof ApiError ? e.message : "Could not delete the runtime.",
        "runtime",
      );
    }
  }

  close(): void {
    this.kernel?.close();
  }

  /** google.colab.kernel.disconnect(): drops the socket; the next run reconnects. */
  disconnect(): void {
    const kernel = this.kernel;
    this.kernel = null;
    this.session = null;
    kernel?.close();
    this.show();
  }
}
