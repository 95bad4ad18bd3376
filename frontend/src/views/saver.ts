// Autosave: conditional PUTs (base_revision) after edits, one request in flight at a
// time, and the "Saved" / "Saving…" / "Unsaved changes" label.
import { api, ApiError } from "../api";

type SaveState = "saved" | "saving" | "unsaved" | "conflict" | "error";

const LABELS: Record<SaveState, string> = {
  saved: "Saved",
  saving: "Saving…",
  unsaved: "Unsaved changes",
  conflict: "Not saved: changed elsewhere",
  error: "Not saved",
};

export const SAVE_DELAY_MS = 1500;
const RETRY_DELAY_MS = 5000;

export class Saver {
  private dirty = false;
  private timer: number | undefined;
  private inFlight: Promise<void> | null = null;
  private conflict = false;
  /** Called on every recorded edit (the side panels follow the notebook through it). */
  onChange: () => void = () => {};

  constructor(
    private notebookId: string,
    private revision: number,
    private content: () => Record<string, unknown>,
    private label: HTMLElement,
    private alert: (message: string) => void,
  ) {
    this.show("saved");
  }

  /** The revision the last save produced (or the notebook was opened at). */
  get savedRevision(): number {
    return this.revision;
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
    const path = `/api/notebooks/${encodeURIComponent(this.notebookId)}`;
    this.inFlight = api<{ revision: number }>("PUT", path, body, { keepalive: leaving })
      .then((saved) => {
        this.revision = saved.revision;
        this.show(this.dirty ? "unsaved" : "saved");
      })
      .catch((e: unknown) => {
        this.dirty = true;
        if (e instanceof ApiError && e.status === 409) {
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

  private show(state: SaveState): void {
    this.label.textContent = LABELS[state];
    this.label.dataset["state"] = state;
    if (state !== "error") this.label.title = "";
  }
}
