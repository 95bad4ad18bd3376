// One cell on the page: gutter (run button, count), toolbar, CodeMirror editor, form,
// markdown preview and outputs. The page decides what the cell's actions do (CellHost).
import { markdown } from "@codemirror/lang-markdown";
import { type Extension } from "@codemirror/state";
import { EditorView } from "@codemirror/view";

import { editorSetup, replaceDoc } from "../../editor";
import { colabPython } from "../../editor/embedded";
import { parseCell } from "../../forms";
import type { Cell } from "../../model";
import { describeExecution, formatElapsed, readExecutionInfo } from "../../cells/exec-info";
import { type CellActions, cellToolbar, insertBar } from "../cell-toolbar";
import { h } from "../dom";
import { CellForm } from "../form";
import { MarkdownPreview } from "../markdown-cell";
import { LazyEditor } from "../lazy-editor";
import { resetFrame } from "../output-frame";
import { renderOutputs } from "../outputs";

/** What a cell view asks of the page around it. */
export interface CellHost {
  run(cell: Cell): void;
  /** The run button of a running or queued cell: interrupt it, or take it off the queue. */
  stop(cell: Cell): void;
  /** The notebook changed (schedules an autosave). */
  changed(): void;
  /** Editor extensions the page adds to every cell (keymaps, completion, …). */
  editorExtensions(cell: Cell): Extension[];
  toolbar(cell: Cell): CellActions;
}

export class CellView {
  readonly root: HTMLElement;
  /** The editor is created on first use: a static copy of the code stands in until then. */
  readonly lazy: LazyEditor;
  readonly count = h("div", { class: "count", "data-testid": "execution-count" });
  readonly outputs = h("div", { class: "outputs", "data-testid": "outputs" });
  /** The last run: a tick (or "!") and its elapsed time; the tooltip says when. */
  readonly execInfo = h("div", { class: "exec-info", "data-testid": "exec-info" });
  readonly gutter: HTMLElement;
  private readonly runButton: HTMLButtonElement;
  readonly form: CellForm;
  readonly preview: MarkdownPreview;
  /** Run by hand on this page: only then does a run: "auto" form re-run it on changes. */
  ranOnce = false;
  queued = false;
  running = false;

  constructor(
    readonly cell: Cell,
    private host: CellHost,
  ) {
    const runButton = h("button", { class: "run", title: "Run cell", "aria-label": "Run cell" });
    this.runButton = runButton;
    runButton.textContent = "▶";
    runButton.addEventListener("click", () =>
      this.running || this.queued ? host.stop(cell) : host.run(cell),
    );
    const editorHost = h("div", { class: "editor" });
    // A title's display-mode: "form" hides the code until someone shows it (as in Colab).
    if (
      cell.cell_type === "code" &&
      !("cellView" in cell.metadata) &&
      parseCell(cell.source).title_options.display_mode === "form"
    ) {
      cell.metadata["cellView"] = "form";
    }
    // Colab forms (#@title / #@param) sit beside the code, or replace it when hidden.
    this.form = new CellForm({
      replaceSource: (next) => replaceDoc(this.editor, next),
      fieldChanged: (auto) => {
        if (auto && this.ranOnce) host.run(cell);
      },
      setCodeHidden: (hidden) => {
        if (hidden) cell.metadata["cellView"] = "form";
        else delete cell.metadata["cellView"];
        this.paintForm();
        if (!hidden) this.editor.focus();
        host.changed();
      },
    });
    this.gutter = h("div", { class: "gutter" }, runButton, this.count, this.execInfo);
    const actions = host.toolbar(cell);
    this.root = h(
      "section",
      {
        class: `cell cell-${cell.cell_type}`,
        "data-testid": "cell",
        "data-cell-id": cell.id,
        // Focusable itself: a focused cell (not its editor) is command mode.
        tabindex: "-1",
      },
      insertBar(actions),
      this.gutter,
      cellToolbar(actions),
      h(
        "div",
        { class: "body" },
        h("div", { class: "cell-main" }, editorHost, this.form.el),
        this.outputs,
      ),
    );
    this.preview = new MarkdownPreview(this.root, () => this.editor.focus());
    if (cell.cell_type === "markdown") editorHost.after(this.preview.el);
    const makeEditor = (parent: HTMLElement) =>
      new EditorView({
        doc: cell.source,
        parent,
        extensions: [
          ...host.editorExtensions(cell),
          editorSetup,
          ...(cell.cell_type === "code" ? [colabPython()] : [markdown()]),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) {
              cell.source = update.state.doc.toString();
              this.paintForm();
              host.changed();
            }
          }),
        ],
      });
    const language = cell.cell_type === "code" ? "python" : "markdown";
    this.lazy = new LazyEditor(editorHost, language, () => cell.source, makeEditor);
    this.paintForm();
    this.paint();
    if (cell.cell_type === "markdown" && cell.source.trim()) this.preview.render(cell.source);
  }

  /** The CodeMirror editor, created now if it does not exist yet (lazy-editor.ts). */
  get editor(): EditorView {
    return this.lazy.ensure();
  }

  paintForm(): void {
    const { cell, root, form } = this;
    const hidden = cell.metadata["cellView"] === "form";
    const isForm = cell.cell_type === "code" && form.render(cell.source, hidden);
    root.classList.toggle("has-form", isForm);
    root.classList.toggle("code-hidden", isForm && hidden);
  }

  /** Repaints the run state and count, and the outputs unless `outputs` is false. */
  paint(outputs = true): void {
    const n = this.cell.execution_count;
    const state = this.running ? "running" : this.queued ? "queued" : "";
    this.root.dataset["state"] = state;
    const marks: Record<string, string> = { running: "[*]", queued: "[-]" };
    this.count.textContent = marks[state] ?? `[${n ?? " "}]`;
    const titles: Record<string, string> = { running: "Running", queued: "Waiting to run" };
    this.count.title = titles[state] ?? "";
    // As in Colab, the button of a running cell interrupts it, of a queued one cancels it.
    const labels: Record<string, string> = { running: "Interrupt execution", queued: "Cancel run" };
    const label = labels[state] ?? "Run cell";
    if (this.runButton.title !== label) {
      this.runButton.title = label;
      this.runButton.setAttribute("aria-label", label);
      this.runButton.textContent = state === "running" ? "■" : "▶";
    }
    this.paintExecInfo();
    if (outputs) renderOutputs(this.outputs, this.cell.outputs);
  }

  private paintExecInfo(): void {
    const info = this.running || this.queued ? null : readExecutionInfo(this.cell.metadata);
    this.execInfo.hidden = !info;
    if (!info) return;
    this.execInfo.textContent = formatElapsed(info.elapsed);
    this.execInfo.dataset["status"] = info.status;
    this.execInfo.title = describeExecution(info);
  }

  /** Edit mode in this cell: the editor gets the focus (a text cell shows its source). */
  edit(): void {
    this.root.classList.remove("md-rendered");
    this.editor.focus();
  }

  destroy(): void {
    this.lazy.destroy();
    resetFrame(this.outputs); // the frame goes too, with its comms and widgets
    this.root.remove();
  }
}
