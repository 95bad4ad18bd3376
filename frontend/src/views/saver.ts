// Autosave: conditional PUTs (base_revision) after edits, one request in flight at a
// time, and the "Saved" / "Saving…" / "Unsaved changes" label. A 409 (saved elsewhere
// meanwhile) fetches the newer revision and hands it to `onConflict` to merge into the
// page, then saves the merge on top of it.
import { api, ApiError } from "../api";

type SaveState = "saved" | "saving" | "unsaved" | "conflict" | "merging" | "error";
type Content = Record<string, unknown>;

export interface Latest {
  revision: number;
  content: Content;
}

export interface SaverOptions {
  /** The content at `revision` as the server has it (the merge base). */
  base?: Content;
  /** Merges `latest` into the page (`base`: what both sides started from). */
  onConflict?: (latest: Latest, base: Content | null) => void;
}

const LABELS: Record<SaveState, string> = {
  saved: "Saved",
  saving: "Saving…",
  unsaved: "Unsaved changes",
  conflict: "Not saved: changed elsewhere",
  merging: "Merging changes…",
  error: "Not saved",
};

export const SAVE_DELAY_MS = 1500;
const RETRY_DELAY_MS = 5000;
/** Merges in a row before giving up (someone else saving in a tight loop). */
const MAX_MERGES = 5;

export class Saver {
  private dirty = false;
  private timer: number | undefined;
  private inFlight: Promise<void> | null = null;
  private conflict = false;
  private base: Content | null;
  private merges = 0;
  /** Called on every recorded edit (the side panels follow the notebook through it). */
  onChange: () => void = () => {};

  constructor(
    private notebookId: string,
    private revision: number,
    private content: () => Content,
    private label: HTMLElement,
    private alert: (message: string) => void,
    private options: SaverOptions = {},
  ) {
    this.base = options.base ?? null;
    this.show("saved");
  }

  /** The revision the last save produced (or the notebook was opened at). */
  get savedRevision(): number {
    return this.revision;
  }

  /** The content as it would be saved now. */
  snapshot(): Content {
    return this.content();
  }

  /** The server stored a revision the page made itself (a runtime type change): it
   * becomes the base, unless edits are pending (then the conflict merge takes it in). */
  adopt(revision: number, base: Content): void {
    if (this.pending()) return;
    this.revision = revision;
    this.base = base;
  }

  /** True while something is not on the server yet. */
  pending(): boolean {
    return this.dirty || this.inFlight !== null;
  }

  /** Records an edit and schedules a save after `delay` ms of quiet. */
  changed(delay = SAVE_DELAY_MS): void {
    this.dirty = true;
    this.onChange();
    if (this.conflict) return;
    this.show(this.inFlight ? "saving" : "unsaved");
    this.schedule(delay);
  }

  private schedule(delay: number): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.flush(), delay);
  }

  /** Saves now if anything changed (waiting for a save already under way first). */
  async flush(leaving = false): Promise<void> {
    window.clearTimeout(this.timer);
    while (this.inFlight) await this.inFlight;
    if (!this.dirty || this.conflict) return;
    this.dirty = false;
    this.show("saving");
    const body = { content: this.content(), base_revision: this.revision };
    // The merge base for a later conflict: this content, as it is now.
    const sent = this.options.onConflict ? structuredClone(body.content) : null;
    const path = `/api/notebooks/${encodeURIComponent(this.notebookId)}`;
    this.inFlight = api<{ revision: number }>("PUT", path, body, { keepalive: leaving })
      .then((saved) => {
        this.revision = saved.revision;
        this.base = sent;
        this.merges = 0;
        this.show(this.dirty ? "unsaved" : "saved");
      })
      .catch(async (e: unknown) => {
        this.dirty = true;
        if (e instanceof ApiError && e.status === 409 && !leaving && this.canMerge()) {
          await this.merge(path);
        } else if (e instanceof ApiError && e.status === 409) {
          // Full conflict handling (merge or reload) belongs to the editor; until then
          // stop saving so nothing newer on the server gets overwritten.
          this.conflict = true;
          this.show("conflict");
          this.alert("This notebook was changed elsewhere. Reload to see the newer version.");
        } else {
          this.show("error");
          this.label.title = e instanceof Error ? e.message : "";
          if (!leaving) this.schedule(RETRY_DELAY_MS);
        }
      })
      .finally(() => {
        this.inFlight = null;
      });
    // Edits made meanwhile already scheduled their own save through changed().
    await this.inFlight;
  }

  private canMerge(): boolean {
    return Boolean(this.options.onConflict) && this.merges < MAX_MERGES;
  }

  /** Fetches the newer revision, lets the page merge it in, and saves on top of it. */
  private async merge(path: string): Promise<void> {
    this.merges++;
    this.show("merging");
    let latest: Latest;
    try {
      latest = await api<Latest>("GET", path);
    } catch (e) {
      this.show("error");
      this.label.title = e instanceof Error ? e.message : "";
      this.schedule(RETRY_DELAY_MS);
      return;
    }
    this.options.onConflict!(latest, this.base);
    this.revision = latest.revision;
    this.base = latest.content;
    this.dirty = true;
    this.show("unsaved");
    this.schedule(0);
  }

  private show(state: SaveState): void {
    this.label.textContent = LABELS[state];
    this.label.dataset["state"] = state;
    if (state !== "error") this.label.title = "";
  }
}
