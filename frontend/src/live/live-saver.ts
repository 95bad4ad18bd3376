// The page's side of a live document: a y-websocket connection to the service's copy of
// the notebook. Edits go into the shared document (the service saves the file from it),
// other pages' edits come back into this page. Replaces the PUT autosave (views/saver.ts)
// when the service has live documents on (docs/live.md).
import type { Extension } from "@codemirror/state";
import { YNotebook } from "@jupyter/ydoc";
import { yRemoteSelections, yRemoteSelectionsTheme, ySyncFacet } from "y-codemirror.next";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";

import { Saver } from "../views/saver";
import { LOCAL, pull, type PullTarget, push } from "./bridge";
import { arrangeFirst } from "./first-sync";

/** cloudbook's own message on the connection: save now and pin that revision. */
const SAVE_AND_PIN = new Uint8Array([100]);
const COLOURS = ["#1a73e8", "#d93025", "#188038", "#e37400", "#9334e6", "#007b83"];

export class LiveSaver extends Saver {
  readonly ynb = new YNotebook();
  readonly provider: WebsocketProvider;
  private synced = false;
  private queued = false;
  /** Resolved at the first sync: what waits for the document (a run) waits for this. */
  private readonly firstSync: Promise<void>;
  private firstSynced: () => void = () => {};
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
    alert: (message: string) => void,
    user: { name: string; id: number } | undefined,
    /** The sources of the copy the page opened (GET), by cell id. */
    private readonly opened: Map<string, string>,
  ) {
    super(notebookId, revision, () => ({}), labelEl, alert);
    this.firstSync = new Promise((resolve) => (this.firstSynced = resolve));
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const base = `${scheme}://${location.host}/api/notebooks/${encodeURIComponent(notebookId)}`;
    // No BroadcastChannel shortcut between tabs: the service is the one place edits meet.
    this.provider = new WebsocketProvider(base, "live", this.ynb.ydoc, { disableBc: true });
    this.provider.awareness.setLocalStateField("user", {
      name: user?.name ?? "anonymous",
      color: COLOURS[(user?.id ?? 0) % COLOURS.length],
    });
    this.ynb.ydoc.on("afterTransaction", (tr: Y.Transaction) => {
      if (tr.origin !== LOCAL && this.synced) {
        if (pull(this.ynb, this.page(), tr.changedParentTypes)) this.changed();
      }
    });
    this.provider.on("sync", (isSynced: boolean) => {
      if (!isSynced) return;
      const first = !this.synced;
      this.synced = true;
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
    this.provider.on("status", (event: { status: string }) => {
      this.labelEl.dataset["live"] = event.status;
      if (event.status === "disconnected") this.say("Offline: edits kept in this page");
    });
    const state = this.ynb.ydoc.getMap("state") as Y.Map<unknown>;
    state.observe((event) => {
      // The revision the service last wrote (the file is up to date with the document).
      this.labelEl.dataset["savedRevision"] = String(state.get("savedRevision") ?? "");
      if (event.keysChanged.has("pinnedRevision")) this.say("Saved and pinned");
      else if (event.keysChanged.has("savedRevision")) this.say("Saved");
    });
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
    // Typed cells keep their source as it is: taking the document's and then putting the
    // page's back would rebuild the cell's form twice (a field being typed in loses focus).
    pull(this.ynb, page, undefined, (cell) => typed.get(cell.id) === cell.source);
    const order = arrangeFirst([...this.opened.keys()], mine, page.nb.cells);
    if (order) page.setCells(order);
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
    if (!this.synced) return this.firstSync;
    this.pushAll();
    return Promise.resolve();
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
    void this.flush();
    this.provider.ws?.send(SAVE_AND_PIN);
  }

  /** Other pages' cursors in one cell's editor (y-codemirror's remote selections; the
   * text itself goes through bridge.ts). The cell's Y.Text is looked up on each use, as a
   * move re-creates it; a cell not in the document yet uses a private stand-in. */
  cursors(cellId: string): Extension {
    const ynb = this.ynb;
    const standIn = new Y.Doc().getText("stand-in");
    const conf = {
      awareness: this.provider.awareness,
      get ytext(): Y.Text {
        for (const cell of ynb.cells) {
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
    this.provider.destroy();
  }
}
