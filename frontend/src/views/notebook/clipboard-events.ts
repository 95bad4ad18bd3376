// Copy, cut and paste of whole cells in command mode through the system clipboard
// (Ctrl+C / Ctrl+X / Ctrl+V fire the browser's clipboard events), with the local copy
// as fallback when a browser fires none.
import { CELLS_MIME, cellsFromTransfer, type ClipboardPayload } from "../../cells/clipboard";
import type { CellOps } from "./cell-ops";
import type { CellCursor } from "./cursor";

export class NotebookClipboard {
  private pending: "copy" | "cut" | "paste" | null = null;
  private detach: (() => void) | null = null;

  constructor(
    private ops: CellOps,
    private cursor: CellCursor,
  ) {}

  /** Copies the selection (menus and Ctrl+M C: no clipboard event to write into). */
  copy(): void {
    this.writeText(this.ops.copySelection());
  }

  cut(): void {
    this.writeText(this.ops.cutSelection());
  }

  private writeText(payload: ClipboardPayload): void {
    void navigator.clipboard?.writeText(payload.text).catch(() => undefined);
  }

  private active(): boolean {
    const el = document.activeElement;
    // Selected text (say, in an output) is copied as text, as everywhere else.
    const text = document.getSelection();
    if (text && !text.isCollapsed && text.toString()) return false;
    return this.cursor.inCommandMode() && !el?.closest(".modal");
  }

  attach(): void {
    const before = (e: Event) => {
      // Cancelling before* enables the browser's copy/paste commands without a text
      // selection or an editable target, so the real events follow.
      if (this.active()) e.preventDefault();
    };
    const onCopy = (e: ClipboardEvent) => {
      if (!this.active()) return;
      this.pending = null;
      e.preventDefault();
      const payload = e.type === "cut" ? this.ops.cutSelection() : this.ops.copySelection();
      e.clipboardData?.setData(CELLS_MIME, payload.json);
      e.clipboardData?.setData("text/plain", payload.text);
    };
    const onPaste = (e: ClipboardEvent) => {
      if (!this.active()) return;
      this.pending = null;
      const cells = cellsFromTransfer(e.clipboardData);
      if (!cells.length) return;
      e.preventDefault();
      this.ops.paste(cells);
    };
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey || !this.active()) return;
      const kind = ({ c: "copy", x: "cut", v: "paste" } as const)[e.key.toLowerCase()];
      if (!kind) return;
      // The clipboard event, if the browser fires one, comes before this task ends.
      this.pending = kind;
      setTimeout(() => {
        if (this.pending !== kind) return;
        this.pending = null;
        if (kind === "paste") this.ops.pasteLocal();
        else if (kind === "cut") this.cut();
        else this.copy();
      }, 0);
    };
    const listeners: [string, EventListener][] = [
      ["beforecopy", before],
      ["beforecut", before],
      ["beforepaste", before],
      ["copy", onCopy as EventListener],
      ["cut", onCopy as EventListener],
      ["paste", onPaste as EventListener],
      ["keydown", onKey as EventListener],
    ];
    for (const [type, fn] of listeners) document.addEventListener(type, fn);
    this.detach = () => {
      for (const [type, fn] of listeners) document.removeEventListener(type, fn);
    };
  }

  dispose(): void {
    this.detach?.();
  }
}
