// The page's side of a live document: a y-websocket connection to the service's copy of
// the notebook. Edits go into the shared document (the service saves the file from it),
// other pages' edits come back into this page. Replaces the PUT autosave (views/saver.ts)
// when the service has live documents on (docs/live.md).
import type { Extension } from "@codemirror/state";
import { YNotebook } from "@jupyter/ydoc";
import { yRemoteSelections, yRemoteSelectionsTheme, ySyncFacet } from "y-codemirror.next";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";

import type { Cell } from "../model";
import { Saver } from "../views/saver";
import { forget, LOCAL, pull, type PullTarget, push } from "./bridge";
import { arrangeFirst } from "./first-sync";

/** cloudbook's own messages on the connection (cloudbook/live/documents.py). */
const SAVE_AND_PIN = new Uint8Array([100]);
/** Page → service, echoed once the page's edits before it are in the document. */
const FLUSHED = 103;
/** Service → page, first on each connection: the session id of the document's load. */
const SESSION = 104;
/** The service refused a page that synced with another load of the document. */
const CLOSE_STALE_DOCUMENT = 4409;
const COLOURS = ["#1a73e8", "#d93025", "#188038", "#e37400", "#9334e6", "#007b83"];

type Decoder = { arr: Uint8Array; pos: number };
type Handler = (encoder: unknown, decoder: Decoder) => void;

export class LiveSaver extends Saver {
  private doc: YNotebook = new YNotebook();
  private link: WebsocketProvider;
  /** Kept across documents (a restart swaps the document): each editor's cursor
   * extension listens to it. */
  private readonly awareness: WebsocketProvider["awareness"];
  private readonly socketBase: string;
  private synced = false;
  private queued = false;
  /** Resolved at the first sync: what waits for the document (a run) waits for this. */
  private firstSync!: Promise<void>;
  private firstSynced: () => void = () => {};
  /** Flushes waiting for the service's echo (FLUSHED), by number. */
  private flushes = new Map<number, () => void>();
  private nextFlush = 1;
  /** The cells' sources when the connection dropped: what the page typed since is what
   * the service may not have (kept if the service's document turns out to be new). */
  private offlineBase: Map<string, string> | null = null;
  private readonly resetHandlers: (() => void)[] = [];
  /** Notebook-level metadata this page keeps (the widget state, as the PUT saver saves
   * it): written into the document's metadata with the page's edits when it changed. */
  notebookMetadata: () => Record<string, unknown> = () => ({});
  /** Edits made before the first sync: only in this page until the document arrives. */
  private early = false;

  constructor(
    notebookId: string,
    revision: number,
    private readonly page: () => PullTarget,
    private readonly labelEl: HTMLElement,
    private readonly notice: (message: string) => void,
    user: { name: string; id: number } | undefined,
    /** The sources of the copy the page opened (GET), by cell id. */
    private opened: Map<string, string>,
  ) {
    super(notebookId, revision, () => ({}), labelEl, notice);
    this.firstSync = new Promise((resolve) => (this.firstSynced = resolve));
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    this.socketBase = `${scheme}://${location.host}/api/notebooks/${encodeURIComponent(notebookId)}`;
    this.link = this.connect();
    this.awareness = this.link.awareness;
    this.awareness.setLocalStateField("user", {
      name: user?.name ?? "anonymous",
      color: COLOURS[(user?.id ?? 0) % COLOURS.length],
    });
  }

  /** The shared document (a new one after the service's document was loaded anew). */
  get ynb(): YNotebook {
    return this.doc;
  }

  get provider(): WebsocketProvider {
    return this.link;
  }

  /** `fn` runs each time the page changed to a new document (`restart`). */
  onReset(fn: () => void): void {
    this.resetHandlers.push(fn);
  }

  /** A connection to the service for the current document. Each handler first checks it
   * is still the current one: a replaced connection's late events are dropped. */
  private connect(awareness?: WebsocketProvider["awareness"]): WebsocketProvider {
    const ynb = this.doc;
    // No BroadcastChannel shortcut between tabs: the service is the one place edits meet.
    const provider = new WebsocketProvider(this.socketBase, "live", ynb.ydoc, {
      disableBc: true,
      ...(awareness ? { awareness } : {}),
    });
    const current = () => provider === this.link;
    const handlers = (provider as unknown as { messageHandlers: Handler[] }).messageHandlers;
    handlers[SESSION] = (_enc, decoder) => {
      // Sent again on each reconnect: the service refuses it if its document is new.
      const session = new TextDecoder().decode(decoder.arr.subarray(decoder.pos));
      provider.params = { session };
    };
    handlers[FLUSHED] = (_enc, decoder) => {
      const bytes = decoder.arr.subarray(decoder.pos);
      const id = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
      this.flushes.get(id)?.();
      this.flushes.delete(id);
    };
    ynb.ydoc.on("afterTransaction", (tr: Y.Transaction) => {
      if (tr.origin !== LOCAL && this.synced && current()) {
        if (pull(ynb, this.page(), tr.changedParentTypes)) this.changed();
      }
    });
    provider.on("sync", (isSynced: boolean) => {
      if (!isSynced || !current()) return;
      const first = !this.synced;
      this.synced = true;
      this.offlineBase = null;
      // The document is the truth: the page takes it first, then adds what it has beyond.
      performance.mark("cloudbook-live-synced");
      if (first) this.firstPull();
      this.pushAll();
      performance.mark("cloudbook-live-merged");
      this.labelEl.dataset["synced"] = "true";
      this.labelEl.dataset["state"] = "saved";
      this.say("Saved");
      this.firstSynced();
    });
    provider.on("status", (event: { status: string }) => {
      if (!current()) return;
      this.labelEl.dataset["live"] = event.status;
      if (event.status !== "disconnected") return;
      this.say("Offline: edits kept in this page");
      // The file a route reads now cannot get what the service did not receive.
      for (const done of this.flushes.values()) done();
      this.flushes.clear();
      if (this.synced && !this.offlineBase) this.offlineBase = this.sources();
    });
    provider.on("closed", (event: { code: number }) => {
      if (current() && event.code === CLOSE_STALE_DOCUMENT) this.restart();
    });
    const state = ynb.ydoc.getMap("state") as Y.Map<unknown>;
    state.observe((event) => {
      if (!current()) return;
      // The revision the service last wrote (the file is up to date with the document).
      this.labelEl.dataset["savedRevision"] = String(state.get("savedRevision") ?? "");
      if (event.keysChanged.has("pinnedRevision")) this.say("Saved and pinned");
      else if (event.keysChanged.has("savedRevision")) this.say("Saved");
    });
    return provider;
  }

  private sources(): Map<string, string> {
    return new Map(this.page().nb.cells.map((c) => [c.id, c.source]));
  }

  /** The service has a new load of the document (it restarted, or the document closed
   * and opened again while this page was away), built from the file with new Yjs ids:
   * merging this page's copy into it would double every cell. The page drops its copy
   * and syncs afresh, as on opening; what was typed here since the connection dropped is
   * kept the way edits made before a first sync are (firstPull). */
  private restart(): void {
    const page = this.page();
    this.link.destroy(); // first: its last events still count as this page's
    this.opened = this.offlineBase ?? this.sources();
    this.offlineBase = null;
    forget(page.nb.cells);
    const clientID = this.doc.ydoc.clientID;
    this.doc = new YNotebook();
    // The same client id (the new document has no items of it): the awareness, which the
    // editors' cursor extensions hold, goes on naming this page.
    this.doc.ydoc.clientID = clientID;
    this.awareness.doc = this.doc.ydoc;
    this.synced = false;
    this.firstSync = new Promise((resolve) => (this.firstSynced = resolve));
    const typed = page.nb.cells.some((c) => this.opened.get(c.id) !== c.source);
    this.early = typed || page.nb.cells.length !== this.opened.size;
    if (this.early) {
      this.labelEl.dataset["state"] = "unsaved";
      this.say("Unsaved changes");
    }
    this.link = this.connect(this.awareness);
    for (const fn of this.resetHandlers) fn();
    this.notice(
      "The service reloaded this notebook (it restarted): this page now shows the saved copy" +
        (this.early ? ", with what you typed while it was away." : "."),
    );
  }

  /** The document is the truth, except for what was done here before it arrived: cells
   * whose source differs from the copy the page opened keep this page's source, and cells
   * this page inserted, deleted or moved stay so (the push that follows writes them). */
  private firstPull(): void {
    const page = this.page();
    const typed = new Map<string, string>();
    for (const cell of page.nb.cells) {
      if (this.opened.get(cell.id) !== cell.source) typed.set(cell.id, cell.source);
    }
    const mine = [...page.nb.cells];
    // The document's order is only taken through arrangeFirst: letting pull set it first
    // would drop the cells this page inserted and then create them anew, and the cell
    // being typed into would lose its focus and its place as the current cell.
    let theirs: Cell[] = mine;
    const arranging: PullTarget = {
      ...page,
      setCells: (cells) => {
        theirs = cells;
      },
    };
    // Typed cells keep their source as it is: taking the document's and then putting the
    // page's back would rebuild the cell's form twice (a field being typed in loses focus).
    pull(this.ynb, arranging, undefined, (cell) => typed.get(cell.id) === cell.source);
    const order = arrangeFirst([...this.opened.keys()], mine, theirs) ?? theirs;
    if (order.length !== mine.length || order.some((c, i) => c !== mine[i])) page.setCells(order);
  }

  private say(text: string): void {
    this.labelEl.textContent = text;
  }

  /** An edit in this page: into the shared document at the next microtask (a keystroke
   * reaches other pages without waiting for a timer). */
  override changed(): void {
    this.onChange();
    if (!this.synced && !this.early) {
      // The page is editable from its GET; what is typed now joins the document when it
      // arrives (firstPull), and until then the page says so and guards against leaving.
      this.early = true;
      this.labelEl.dataset["state"] = "unsaved";
      this.say("Unsaved changes");
    }
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      if (this.synced) this.pushAll();
    });
  }

  /** Everything this page did is in the document (sent on the connection) once this
   * resolves: at once when synced (synchronously, so a message sent right after follows
   * the edits), else at the first sync, which takes in what was done before it. */
  override flush(): Promise<void> {
    if (!this.synced) return this.firstSync.then(() => this.flushed());
    this.pushAll();
    return this.flushed();
  }

  /** Resolves once the service echoed a FLUSHED sent now, i.e. once it took every edit
   * sent before (the room reads a connection's messages in order): a route that reads
   * the file next (a copy, an export) saves the document with them. At once offline. */
  private flushed(): Promise<void> {
    const ws = this.link.ws;
    if (!this.link.wsconnected || !ws || ws.readyState !== WebSocket.OPEN) return Promise.resolve();
    const id = this.nextFlush++;
    const message = new Uint8Array(5);
    message[0] = FLUSHED;
    new DataView(message.buffer).setUint32(1, id);
    return new Promise((resolve) => {
      this.flushes.set(id, resolve);
      ws.send(message);
    });
  }

  private pushAll(): void {
    push(this.page().nb, this.ynb);
    const wanted = this.notebookMetadata();
    const changed = Object.entries(wanted).filter(
      ([key, value]) =>
        value !== undefined && JSON.stringify(this.ynb.getMetadata(key)) !== JSON.stringify(value),
    );
    if (!changed.length) return;
    this.ynb.ydoc.transact(() => {
      for (const [key, value] of changed) this.ynb.setMetadata(key, structuredClone(value) as never);
    }, LOCAL);
  }

  /** Ctrl+S / "Save and pin revision": on the same connection as the edits, so it comes
   * after every edit made before it. */
  pin(): void {
    if (this.synced) this.pushAll();
    this.link.ws?.send(SAVE_AND_PIN);
  }

  /** Other pages' cursors in one cell's editor (y-codemirror's remote selections; the
   * text itself goes through bridge.ts). The cell's Y.Text is looked up on each use, as a
   * move re-creates it; a cell not in the document yet uses a private stand-in. */
  cursors(cellId: string): Extension {
    const saver = this;
    const standIn = new Y.Doc().getText("stand-in");
    const conf = {
      awareness: this.awareness,
      get ytext(): Y.Text {
        for (const cell of saver.ynb.cells) {
          if (cell.id === cellId) return (cell.ymodel as Y.Map<unknown>).get("source") as Y.Text;
        }
        return standIn;
      },
    };
    return [ySyncFacet.of(conf as never), yRemoteSelectionsTheme, yRemoteSelections];
  }

  /** The service holds every acknowledged edit; nothing waits in the page to be saved,
   * except edits made before the first sync. */
  override pending(): boolean {
    return this.early && !this.synced;
  }

  destroy(): void {
    this.link.destroy();
  }
}
