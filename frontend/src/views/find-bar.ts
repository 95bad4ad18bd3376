// Find and replace across the notebook (Ctrl+F / Ctrl+H, the "find" and "find-replace"
// commands, as in Colab and JupyterLab):
// every cell's source (code and text), "k of N", next/previous moving between cells,
// case and regex toggles, replace and replace all (one undo step per cell).
import "./find-bar.css";

import { isolateHistory } from "@codemirror/commands";
import type { Extension } from "@codemirror/state";
import { EditorView } from "@codemirror/view";

import { findMarks, setFindMarks } from "../find/highlight";
import {
  compile,
  findMatches,
  type FindOptions,
  type Match,
  replaceAllChanges,
  replacementAt,
} from "../find/search";
import { h } from "./dom";

export interface FindTarget {
  id: string;
  editor: EditorView;
}

export interface FindHost {
  /** Every cell, in notebook order. */
  targets(): FindTarget[];
  /** Makes the cell's editor visible (a rendered text cell goes to editing). */
  reveal(id: string): void;
  /** A replacement changed the cell's source (a rendered text cell re-renders). */
  replaced(id: string): void;
}

interface Hit extends Match {
  id: string;
  editor: EditorView;
}

export class FindBar {
  readonly el: HTMLElement;
  /** Goes into every cell editor's extensions. */
  readonly extension: Extension;
  private findInput = h("input", {
    type: "text",
    placeholder: "Find",
    "aria-label": "Find",
    "data-testid": "find-input",
  });
  private replaceInput = h("input", {
    type: "text",
    placeholder: "Replace",
    "aria-label": "Replace",
    "data-testid": "replace-input",
  });
  private countEl = h("span", {
    class: "find-count",
    "data-testid": "find-count",
    "aria-live": "polite",
  });
  private caseBox = h("input", { type: "checkbox", "data-testid": "find-case" });
  private regexBox = h("input", { type: "checkbox", "data-testid": "find-regex" });
  private hits: Hit[] = [];
  private current = -1;
  private marked = new Set<EditorView>();
  private lastEditor: EditorView | null = null;
  private scheduled = false;
  private open = false;

  constructor(private host: FindHost) {
    const button = (label: string, title: string, testid: string, run: () => void) => {
      const b = h("button", { type: "button", title, "aria-label": title, "data-testid": testid });
      b.textContent = label;
      b.addEventListener("click", run);
      return b;
    };
    const toggle = (box: HTMLInputElement, label: string, title: string) => {
      box.addEventListener("change", () => this.refresh(true));
      return h("label", { class: "find-toggle", title }, box, label);
    };
    this.el = h(
      "div",
      { class: "find-bar", role: "search", "data-testid": "find-bar", hidden: true },
      h(
        "div",
        { class: "find-row" },
        this.findInput,
        this.countEl,
        button("↑", "Previous match (Shift+Enter)", "find-prev", () => this.step(-1)),
        button("↓", "Next match (Enter)", "find-next", () => this.step(1)),
        toggle(this.caseBox, "Aa", "Match case"),
        toggle(this.regexBox, ".*", "Regular expression"),
        button("✕", "Close (Escape)", "find-close", () => this.close()),
      ),
      h(
        "div",
        { class: "find-row" },
        this.replaceInput,
        button("Replace", "Replace this match", "replace-one", () => this.replaceOne()),
        button("Replace all", "Replace every match", "replace-all", () => this.replaceAll()),
      ),
    );
    this.findInput.addEventListener("input", () => this.refresh(true));
    this.findInput.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        this.step(e.shiftKey ? -1 : 1);
      }
    });
    this.replaceInput.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        this.replaceOne();
      }
    });
    this.el.addEventListener("keydown", (e) => {
      const key = e.key.toLowerCase();
      if ((e.ctrlKey || e.metaKey) && (key === "f" || key === "h")) {
        e.preventDefault();
        this.findInput.focus();
        this.findInput.select();
      } else if (e.key === "Escape") {
        e.preventDefault();
        this.close(true);
      }
    });
    this.extension = [
      findMarks(() => this.schedule()),
      // Remember where the user was, so the first match is the one after the cursor.
      EditorView.domEventHandlers({
        focus: (_e, view) => {
          this.lastEditor = view;
        },
      }),
    ];
  }

  show(): void {
    const editor = this.focusedEditor();
    if (editor) this.lastEditor = editor;
    const sel = editor?.state.sliceDoc(
      editor.state.selection.main.from,
      editor.state.selection.main.to,
    );
    if (sel && !sel.includes("\n")) this.findInput.value = sel;
    this.open = true;
    this.el.hidden = false;
    this.refresh(true);
    this.findInput.focus();
    this.findInput.select();
  }

  close(focusEditor = false): void {
    if (!this.open) return;
    this.open = false;
    this.el.hidden = true;
    const hit = this.hits[this.current];
    this.hits = [];
    this.current = -1;
    this.paintMarks();
    if (focusEditor && hit) hit.editor.focus();
    else if (focusEditor) this.lastEditor?.focus();
  }

  private focusedEditor(): EditorView | null {
    return this.host.targets().find((t) => t.editor.hasFocus)?.editor ?? null;
  }

  private options(): FindOptions {
    return {
      query: this.findInput.value,
      caseSensitive: this.caseBox.checked,
      regex: this.regexBox.checked,
    };
  }

  private schedule(): void {
    if (!this.open || this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => {
      this.scheduled = false;
      if (this.open) this.refresh(false);
    }, 0);
  }

  /** Recomputes the matches. `fromCursor`: the current match becomes the first one at or
   * after the cursor of the last used editor; otherwise it stays where it was. */
  private refresh(fromCursor: boolean): void {
    const prev = this.hits[this.current];
    const compiled = compile(this.options());
    const hits: Hit[] = [];
    this.findInput.classList.toggle("invalid", Boolean(compiled && "error" in compiled));
    this.findInput.title = compiled && "error" in compiled ? compiled.error : "";
    if (compiled && "re" in compiled) {
      for (const { id, editor } of this.host.targets()) {
        for (const m of findMatches(editor.state.doc.toString(), compiled.re)) {
          hits.push({ ...m, id, editor });
        }
      }
    }
    this.hits = hits;
    let anchor: { editor: EditorView; pos: number } | null = null;
    if (fromCursor && this.lastEditor) {
      anchor = { editor: this.lastEditor, pos: this.lastEditor.state.selection.main.from };
    } else if (prev) {
      anchor = { editor: prev.editor, pos: prev.from };
    }
    this.current = hits.length ? this.indexAfter(anchor) : -1;
    this.paintMarks();
  }

  /** The first hit at or after `anchor` in notebook order (wrapping to the first). */
  private indexAfter(anchor: { editor: EditorView; pos: number } | null): number {
    if (!anchor) return 0;
    const order = new Map(this.host.targets().map((t, i) => [t.editor, i]));
    const cell = order.get(anchor.editor) ?? 0;
    const i = this.hits.findIndex((hit) => {
      const c = order.get(hit.editor) ?? 0;
      return c > cell || (c === cell && hit.from >= anchor.pos);
    });
    return i < 0 ? 0 : i;
  }

  private paintMarks(): void {
    const byEditor = new Map<EditorView, { matches: Match[]; current: number }>();
    this.hits.forEach((hit, i) => {
      let entry = byEditor.get(hit.editor);
      if (!entry) byEditor.set(hit.editor, (entry = { matches: [], current: -1 }));
      if (i === this.current) entry.current = entry.matches.length;
      entry.matches.push(hit);
    });
    // Only editors whose marks change get a transaction (and not those of deleted cells).
    const live = new Set(this.host.targets().map((t) => t.editor));
    for (const editor of this.marked) {
      if (!byEditor.has(editor) && live.has(editor)) {
        editor.dispatch({ effects: setFindMarks.of({ matches: [], current: -1 }) });
      }
    }
    this.marked = new Set(byEditor.keys());
    for (const [editor, marks] of byEditor) editor.dispatch({ effects: setFindMarks.of(marks) });
    const n = this.hits.length;
    this.countEl.textContent = !this.findInput.value
      ? ""
      : n
        ? `${this.current + 1} of ${n}`
        : "No results";
  }

  /** Moves to the next (1) or previous (-1) match, showing and selecting it in its cell. */
  step(delta: 1 | -1): void {
    this.refresh(false); // cells may have been added or deleted since
    if (!this.hits.length) return;
    const hit = this.hits[this.current];
    // The first Enter goes to the current match itself when it is not selected yet.
    const sel = hit?.editor.state.selection.main;
    const onIt = hit && sel && sel.from === hit.from && sel.to === hit.to;
    if (onIt || !hit) {
      const n = this.hits.length;
      this.current = (((this.current + delta) % n) + n) % n;
    }
    this.paintMarks();
    this.reveal();
  }

  private reveal(): void {
    const hit = this.hits[this.current];
    if (!hit) return;
    this.host.reveal(hit.id);
    hit.editor.dispatch({
      selection: { anchor: hit.from, head: hit.to },
      effects: EditorView.scrollIntoView(hit.from, { y: "center" }),
    });
    this.lastEditor = hit.editor;
  }

  replaceOne(): void {
    this.refresh(false);
    const hit = this.hits[this.current];
    const compiled = compile(this.options());
    if (!hit || !compiled || !("re" in compiled)) return;
    const text = hit.editor.state.doc.toString();
    const insert = replacementAt(text, hit, compiled.re, this.replaceInput.value, this.regexBox.checked);
    hit.editor.dispatch({
      changes: { from: hit.from, to: hit.to, insert },
      userEvent: "input.replace",
      annotations: isolateHistory.of("full"),
    });
    this.host.replaced(hit.id);
    // The next match is the first one after the replaced text.
    this.lastEditor = hit.editor;
    this.refreshAfter(hit.editor, hit.from + insert.length);
    this.reveal();
  }

  replaceAll(): void {
    const compiled = compile(this.options());
    if (!compiled || !("re" in compiled)) return;
    for (const { id, editor } of this.host.targets()) {
      const changes = replaceAllChanges(
        editor.state.doc.toString(),
        compiled.re,
        this.replaceInput.value,
        this.regexBox.checked,
      );
      if (!changes.length) continue;
      // One transaction per cell: one undo step in that cell.
      editor.dispatch({
        changes,
        userEvent: "input.replace.all",
        annotations: isolateHistory.of("full"),
      });
      this.host.replaced(id);
    }
    this.refresh(false);
  }

  private refreshAfter(editor: EditorView, pos: number): void {
    this.refresh(false);
    if (this.hits.length) this.current = this.indexAfter({ editor, pos });
    this.paintMarks();
  }
}
