// Cells run by the service (docs/live-execution.md): Run asks the service, which writes
// outputs, counts and states into the live document; this page shows the states
// (`execution_state` of each cell) and answers the questions a run asks (the document's
// `executor_requests`): input()/getpass() in the stdin box under the cell, Colab's eval_js
// in the cell's output frame, GetSecret with this user's secrets.
import type * as Y from "yjs";

import { ApiError, api } from "../api";
import { answerColabRequest } from "../colab/answer";
import { askLine, cancelAsk } from "../colab/stdin-box";
import type { LiveSaver } from "./live-saver";

/** What the service-run part needs of one cell's view. */
export interface RunView {
  outputs: HTMLElement;
  running: boolean;
  queued: boolean;
  paint(full?: boolean): void;
}

export interface ServiceRunHost {
  notebookId: string;
  view(cellId: string): RunView | undefined;
  evalScript(cellId: string, script: string): Promise<unknown>;
  me(): { id: number } | undefined;
  /** runtime.unassign() in a cell this tab ran: the runtime goes once the cell ended. */
  deleteRuntime(): Promise<void>;
  /** A cell's run ended (what depends on the runtime's files may have changed). */
  runEnded(): void;
}

type Request = Record<string, unknown>;

/** cloudbook's own messages on the live socket (cloudbook/live/socket_runs.py). */
const RUN = 0x65;
const RUN_REPLY = 0x66;

type RunReply = { id: number; queued?: string[]; error?: { status: number; code: string; message: string } };
type Waiting = { resolve: (queued: string[]) => void; reject: (e: Error) => void };

export class ServiceRuns {
  private handled = new Map<string, string>(); // request id -> cell id
  private posting: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private waiting = new Map<number, Waiting>();

  constructor(
    private readonly saver: LiveSaver,
    private readonly host: ServiceRunHost,
  ) {
    saver.provider.awareness.on("change", () => this.sync());
    this.attach();
    saver.onReset(() => {
      this.handled.clear(); // the questions of the old document are gone with it
      this.attach();
      this.sync();
    });
  }

  /** Listens to the saver's document and connection (again after a reset). */
  private attach(): void {
    const { ynb, provider } = this.saver;
    ynb.ydoc.on("afterTransaction", () => {
      if (ynb === this.saver.ynb) this.sync();
    });
    // y-websocket hands each message to the handler of its first byte.
    const handlers = (provider as unknown as { messageHandlers: unknown[] }).messageHandlers;
    handlers[RUN_REPLY] = (_enc: unknown, decoder: { arr: Uint8Array; pos: number }) =>
      this.replied(decoder.arr.subarray(decoder.pos));
    provider.on("status", (event: { status: string }) => {
      if (event.status !== "disconnected") return;
      const lost = new ApiError(0, "connection_lost", "The connection to the service was lost.");
      for (const waiting of this.waiting.values()) waiting.reject(lost);
      this.waiting.clear();
    });
  }

  private get path(): string {
    return `/api/notebooks/${encodeURIComponent(this.host.notebookId)}`;
  }

  /** Asks the service to run cells (in the order Run was pressed): on the live socket
   * when it is connected (right behind this page's edits, no HTTP request), otherwise
   * with `POST /execute`. */
  run(cells: { id: string; source: string }[]): Promise<unknown> {
    const body = {
      cell_ids: cells.map((c) => c.id),
      client_id: this.saver.ynb.ydoc.clientID,
      user_tz: new Date().getTimezoneOffset(),
      sources: Object.fromEntries(cells.map((c) => [c.id, c.source])),
    };
    const { provider } = this.saver;
    if (provider.wsconnected && provider.synced && provider.ws) {
      void this.saver.flush(); // the edits go out on the socket first
      const id = this.nextId++;
      const text = new TextEncoder().encode(JSON.stringify({ id, ...body }));
      const message = new Uint8Array(text.length + 1);
      message[0] = RUN;
      message.set(text, 1);
      const reply = new Promise<string[]>((resolve, reject) =>
        this.waiting.set(id, { resolve, reject }),
      );
      provider.ws.send(message);
      return reply;
    }
    this.posting = this.posting
      .then(() => this.saver.flush())
      .then(() => api("POST", `${this.path}/execute`, body));
    return this.posting;
  }

  private replied(bytes: Uint8Array): void {
    let reply: RunReply;
    try {
      reply = JSON.parse(new TextDecoder().decode(bytes)) as RunReply;
    } catch {
      return;
    }
    const waiting = this.waiting.get(reply.id);
    if (!waiting) return;
    this.waiting.delete(reply.id);
    if (reply.error) {
      waiting.reject(new ApiError(reply.error.status, reply.error.code, reply.error.message));
    } else waiting.resolve(reply.queued ?? []);
  }

  /** The document changed (or who is here did): states and questions follow it. */
  sync(): void {
    for (const ycell of this.saver.ynb.cells) {
      const state = (ycell.ymodel as Y.Map<unknown>).get("execution_state");
      const view = this.host.view(ycell.id);
      if (!view) continue;
      const running = state === "running" || state === "waiting";
      const queued = state === "queued";
      if (view.running !== running || view.queued !== queued) {
        // A run ended: what the kernel changed in widgets meanwhile is saved with it.
        const ended = view.running && !running;
        if (ended) this.saver.changed();
        view.running = running;
        view.queued = queued;
        view.paint(false);
        if (ended) this.host.runEnded();
      }
    }
    const requests = this.saver.ynb.ydoc.getMap("executor_requests") as Y.Map<Request>;
    for (const [id, cellId] of this.handled) {
      if (requests.has(id)) continue;
      this.handled.delete(id); // answered here or in another tab: its box goes
      const view = this.host.view(cellId);
      if (view) cancelAsk(view.outputs);
    }
    requests.forEach((request, id) => {
      if (this.handled.has(id) || !this.mine(request)) return;
      this.handled.set(id, String(request["cell_id"]));
      void this.answer(id, request);
    });
  }

  /** The tab that ran the cell answers; once it is gone, any tab of the same user. */
  private mine(request: Request): boolean {
    const me = this.host.me();
    if (!me || request["user_id"] !== me.id) return false;
    const client = request["client_id"];
    if (client === this.saver.ynb.ydoc.clientID) return true;
    return typeof client !== "number" || !this.saver.provider.awareness.getStates().has(client);
  }

  /** Deletes the runtime once the cell is no longer running (or after a bound: the
   * kernel gives up waiting for the reply after 60 s). */
  private unassignAfter(cellId: string): void {
    const started = Date.now();
    const check = () => {
      const running = this.host.view(cellId)?.running ?? false;
      if (running && Date.now() - started < 5_000) return void setTimeout(check, 50);
      void this.host.deleteRuntime();
    };
    setTimeout(check, 50);
  }

  /** The cell the service is running now (shell stdin boxes go to it). */
  runningCell(): string | undefined {
    for (const ycell of this.saver.ynb.cells) {
      const state = (ycell.ymodel as Y.Map<unknown>).get("execution_state");
      if (state === "running" || state === "waiting") return ycell.id;
    }
    return undefined;
  }

  private async answer(id: string, request: Request): Promise<void> {
    const cellId = String(request["cell_id"]);
    let value: unknown;
    if (request["kind"] === "input") {
      const view = this.host.view(cellId);
      if (!view) return;
      value = await askLine(view.outputs, String(request["prompt"] ?? ""), !!request["password"]);
      if (!this.handled.has(id)) return; // answered elsewhere meanwhile
    } else {
      const body = (request["request"] ?? {}) as Request;
      value = await answerColabRequest(String(request["type"]), body, {
        notebookId: this.host.notebookId,
        evalScript: (script) => this.host.evalScript(cellId, script),
        unassign: () => this.unassignAfter(cellId),
      });
    }
    try {
      await api("POST", `${this.path}/input`, { request_id: id, value });
    } catch {
      // Another tab answered first: the request is gone from the document.
    }
  }
}
