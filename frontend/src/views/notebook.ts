// The notebook page: cells with CodeMirror editors, running through the kernel proxy,
// outputs, and conditional autosave.
import { markdown } from "@codemirror/lang-markdown";
import { python } from "@codemirror/lang-python";
import { Prec } from "@codemirror/state";
import { EditorView, keymap } from "@codemirror/view";

import { api, ApiError } from "../api";
import type { NotebookWithContent, SessionOut } from "../api-types";
import { editorSetup, replaceDoc } from "../editor";
import { parseCell } from "../forms";
import { KernelClient } from "../kernel";
import {
  type Cell,
  loadNotebook,
  newCodeCell,
  newMarkdownCell,
  type Notebook,
  OutputAccumulator,
  saveNotebook,
} from "../model";
import { h } from "./dom";
import { cellToolbar } from "./cell-toolbar";
import { type Indicator, INDICATOR_TEXT } from "./indicator";
import { CellForm } from "./form";
import { MarkdownPreview } from "./markdown-cell";
import { renderOutputs } from "./outputs";
import { loadWidgetState } from "../widgets/saved";
import { WidgetRouter } from "../widgets/router";
import { attachFrameHost, cellFrame, resetFrame } from "./output-frame";
import { frameHost } from "../colab/frame-services";
import { handleColabRequest } from "../colab/requests";
import { runForOutputs } from "./invoke-run";
import type { KernelMessage } from "../wire";
import { Saver } from "./saver";

interface CellView {
  cell: Cell;
  root: HTMLElement;
  editor: EditorView;
  count: HTMLElement;
  outputs: HTMLElement;
  form: CellForm;
  preview: MarkdownPreview;
  /** Run by hand on this page: only then does a run: "auto" form re-run it on changes. */
  ranOnce: boolean;
  queued: boolean;
  running: boolean;
  /** Ran in this page session: its output frames get kernel access. */
  live: boolean;
}

export class NotebookPage {
  private nb!: Notebook;
  private views = new Map<string, CellView>();
  private cellsEl = h("div", { class: "cells" });
  private saveEl = h("span", { class: "save-state", "data-testid": "save-state" });
  private kernelEl = h("span", { class: "kernel-state", "data-testid": "kernel-state" });
  private bannerEl = h("div", { class: "banner", role: "alert", hidden: true });
  private kernel: KernelClient | null = null;
  private session: Promise<SessionOut> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  // Bumped when a cell fails: cells queued before that are skipped, as in Jupyter.
  private runEpoch = 0;
  private saver!: Saver;
  private widgets = new WidgetRouter();
  private everConnected = false;
  private readonly onPageHide = () => void this.saver.flush(true);
  private readonly onBeforeUnload = (event: BeforeUnloadEvent) => {
    if (this.saver.pending()) event.preventDefault();
  };

  constructor(
    private root: HTMLElement,
    private id: string,
  ) {}

  private path(rest = ""): string {
    return `/api/notebooks/${encodeURIComponent(this.id)}${rest}`;
  }

  async open(): Promise<void> {
    const data = await api<NotebookWithContent>("GET", this.path());
    this.nb = loadNotebook(data.content);
    loadWidgetState(this.widgets.store, this.nb.rest["metadata"]);
    const content = () => this.widgets.annotate(saveNotebook(this.nb), this.nb.cells);
    this.saver = new Saver(this.id, data.revision, content, this.saveEl, (m) =>
      this.banner(m, "save"),
    );
    this.widgets.onChange = () => this.saver.changed();
    this.widgets.onCallbackOutput = (cellId, msg) => {
      const view = this.views.get(cellId);
      if (!view) return;
      new OutputAccumulator(view.cell).add(msg);
      this.paint(view);
      this.saver.changed();
    };
    document.title = `${data.name} - cloudbook`;
    if (!this.nb.cells.length) this.nb.cells.push(newCodeCell());
    const button = (label: string, testid: string, onClick: () => void) => {
      const b = h("button", { "data-testid": testid }, label);
      b.addEventListener("click", onClick);
      return b;
    };
    this.root.replaceChildren(
      h(
        "div",
        { class: "notebook" },
        h(
          "header",
          { class: "toolbar" },
          h("a", { href: "/", class: "brand" }, "cloudbook"),
          h("span", { class: "nb-name", "data-testid": "notebook-name" }, data.name),
          this.saveEl,
          h("span", { class: "spacer" }),
          button("Run all", "run-all", () => this.nb.cells.forEach((c) => this.run(c))),
          button("Interrupt", "interrupt", () => void this.kernelAction("interrupt")),
          button("Restart", "restart", () => void this.kernelAction("restart")),
          this.kernelEl,
        ),
        this.bannerEl,
        this.cellsEl,
        h(
          "div",
          { class: "add-bar" },
          button("+ Code", "add-code", () => void this.insertCell(this.nb.cells.length)),
          button("+ Text", "add-text", () => void this.insertCell(this.nb.cells.length, true)),
        ),
      ),
    );
    for (const cell of this.nb.cells) this.cellsEl.append(this.makeView(cell).root);
    this.showKernel();
    window.addEventListener("pagehide", this.onPageHide);
    window.addEventListener("beforeunload", this.onBeforeUnload);
    this.views.get(this.nb.cells[0]!.id)?.editor.focus();
  }

  /** Leaves the page inside the app: saves what is pending and closes the kernel socket
   * (the runtime stays attached to the notebook). */
  dispose(): void {
    window.removeEventListener("pagehide", this.onPageHide);
    window.removeEventListener("beforeunload", this.onBeforeUnload);
    void this.saver?.flush(true);
    this.kernel?.close();
    for (const view of this.views.values()) view.editor.destroy();
  }

  private makeView(cell: Cell): CellView {
    const count = h("div", { class: "count", "data-testid": "execution-count" });
    const outputs = h("div", { class: "outputs", "data-testid": "outputs" });
    const runButton = h("button", { class: "run", title: "Run cell", "aria-label": "Run cell" });
    runButton.textContent = "▶";
    runButton.addEventListener("click", () => this.run(cell));
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
    const form = new CellForm({
      replaceSource: (next) => replaceDoc(view.editor, next),
      fieldChanged: (auto) => {
        if (auto && view.ranOnce) this.run(cell);
      },
      setCodeHidden: (hidden) => {
        if (hidden) cell.metadata["cellView"] = "form";
        else delete cell.metadata["cellView"];
        this.paintForm(view);
        if (!hidden) view.editor.focus();
        this.saver.changed();
      },
    });
    const root = h(
      "section",
      { class: `cell cell-${cell.cell_type}`, "data-testid": "cell", "data-cell-id": cell.id },
      h("div", { class: "gutter" }, runButton, count),
      cellToolbar({
        moveUp: () => this.moveCell(cell, -1),
        moveDown: () => this.moveCell(cell, 1),
        remove: () => this.deleteCell(cell),
      }),
      h("div", { class: "body" }, h("div", { class: "cell-main" }, editorHost, form.el), outputs),
    );
    const preview = new MarkdownPreview(root, () => view.editor.focus());
    if (cell.cell_type === "markdown") editorHost.after(preview.el);
    const editor = new EditorView({
      doc: cell.source,
      parent: editorHost,
      extensions: [
        Prec.highest(
          keymap.of([
            { key: "Shift-Enter", run: () => (this.runAndAdvance(cell), true) },
            { key: "Mod-Enter", run: () => (this.run(cell), true) },
          ]),
        ),
        editorSetup,
        ...(cell.cell_type === "code" ? [python()] : [markdown()]),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) {
            cell.source = update.state.doc.toString();
            this.paintForm(view);
            this.saver.changed();
          }
        }),
      ],
    });
    const view: CellView = {
      ...{ cell, root, editor, count, outputs, form, preview },
      ...{ ranOnce: false, queued: false, running: false, live: false },
    };
    this.views.set(cell.id, view);
    const host = frameHost(() => view.live, {
      kernel: () => this.kernel,
      execute: (code) =>
        runForOutputs(
          this.kernel!,
          cell,
          code,
          () => this.paint(view),
          (m) => this.colabRequest(view, m),
        ).finally(() => this.saver.changed()),
      runtimeId: async () => (this.session ? (await this.session).runtime_id : null),
      disconnect: () => this.disconnect(),
    });
    attachFrameHost(outputs, this.widgets.host(host, cell.id));
    this.paintForm(view);
    this.paint(view);
    if (cell.cell_type === "markdown" && cell.source.trim()) preview.render(cell.source);
    return view;
  }

  private paintForm(view: CellView): void {
    const { cell, root, form } = view;
    const hidden = cell.metadata["cellView"] === "form";
    const isForm = cell.cell_type === "code" && form.render(cell.source, hidden);
    root.classList.toggle("has-form", isForm);
    root.classList.toggle("code-hidden", isForm && hidden);
  }

  private paint(view: CellView, outputs = true): void {
    const n = view.cell.execution_count;
    const state = view.running ? "running" : view.queued ? "queued" : "";
    view.root.dataset["state"] = state;
    const marks: Record<string, string> = { running: "[*]", queued: "[-]" };
    view.count.textContent = marks[state] ?? `[${n ?? " "}]`;
    if (outputs) renderOutputs(view.outputs, view.cell.outputs);
  }

  private insertCell(index: number, text = false): Cell {
    const cell = text ? newMarkdownCell() : newCodeCell();
    this.nb.cells.splice(index, 0, cell);
    const view = this.makeView(cell);
    const after = this.nb.cells[index + 1];
    const anchor = after ? this.views.get(after.id)?.root : null;
    this.cellsEl.insertBefore(view.root, anchor ?? null);
    view.editor.focus();
    this.saver.changed();
    return cell;
  }

  private moveCell(cell: Cell, delta: -1 | 1): void {
    const from = this.nb.cells.indexOf(cell);
    const to = from + delta;
    if (from < 0 || to < 0 || to >= this.nb.cells.length) return;
    const other = this.nb.cells[to]!;
    this.nb.cells.splice(from, 1);
    this.nb.cells.splice(to, 0, cell);
    const root = this.views.get(cell.id)!.root;
    const otherRoot = this.views.get(other.id)!.root;
    if (delta < 0) otherRoot.before(root);
    else otherRoot.after(root);
    this.saver.changed();
  }

  private deleteCell(cell: Cell): void {
    const index = this.nb.cells.indexOf(cell);
    const view = this.views.get(cell.id);
    if (index < 0 || !view) return;
    this.nb.cells.splice(index, 1);
    this.views.delete(cell.id);
    view.editor.destroy();
    resetFrame(view.outputs); // its frame goes, and with it the frame's comms and widgets
    view.root.remove();
    if (!this.nb.cells.length) this.insertCell(0);
    this.saver.changed();
  }

  private runAndAdvance(cell: Cell): void {
    this.run(cell);
    const index = this.nb.cells.indexOf(cell);
    const next = this.nb.cells[index + 1];
    if (next) this.views.get(next.id)?.editor.focus();
    else this.insertCell(index + 1);
  }

  private connect(): Promise<SessionOut> {
    if (!this.session) {
      const session = api<SessionOut>("POST", this.path("/session"));
      this.session = session;
      this.showKernel();
      session.then(
        (s) => {
          const scheme = location.protocol === "https:" ? "wss" : "ws";
          this.everConnected = false;
          const kernel = new KernelClient(`${scheme}://${location.host}${s.channels_url}`);
          kernel.onState = () => this.showKernel();
          kernel.onDropped = () => void this.checkSession(kernel, s);
          this.kernel = kernel;
          this.widgets.attachKernel(kernel);
          this.showKernel();
        },
        () => {
          this.session = null;
          this.showKernel();
        },
      );
    }
    return this.session;
  }

  /** After a dropped socket: if the notebook's runtime is gone (reclaimed, deleted
   * elsewhere), stop retrying; the next run attaches a fresh one. */
  private async checkSession(kernel: KernelClient, s: SessionOut): Promise<void> {
    let gone = false;
    try {
      const now = await api<SessionOut>("GET", this.path("/session"));
      gone = now.kernel_id !== s.kernel_id || now.runtime_id !== s.runtime_id;
    } catch (e) {
      gone = e instanceof ApiError && e.status === 404;
    }
    if (!gone || this.kernel !== kernel) return;
    this.kernel = null;
    this.session = null;
    kernel.close("The runtime was disconnected.");
    this.banner("The runtime was disconnected. Running a cell connects a new one.", "runtime");
    this.showKernel();
  }

  run(cell: Cell): void {
    if (cell.cell_type === "markdown") this.views.get(cell.id)?.preview.render(cell.source);
    if (cell.cell_type !== "code") return;
    const view = this.views.get(cell.id);
    // A cell already waiting runs with its latest source anyway; one that is running
    // may be queued once more (a run: "auto" form changed while it ran).
    if (!view || view.queued) return;
    view.queued = true;
    view.ranOnce = true;
    this.paint(view, false);
    const epoch = this.runEpoch;
    this.queue = this.queue.then(() => this.execute(view, epoch)).catch(() => undefined);
  }

  private async execute(view: CellView, epoch: number): Promise<void> {
    const cell = view.cell;
    view.queued = false;
    if (epoch !== this.runEpoch) return this.paint(view, false);
    try {
      await this.connect();
    } catch (e) {
      this.runEpoch++;
      this.banner(e instanceof ApiError ? e.message : "Could not connect to a runtime.", "runtime");
      return this.paint(view, false);
    }
    this.clearBanner("runtime");
    view.running = true;
    view.live = true;
    resetFrame(view.outputs);
    cell.outputs = [];
    this.paint(view);
    const acc = new OutputAccumulator(cell);
    const started = performance.now();
    const reply = await this.kernel!.execute(cell.source, {
      onIopub: (msg) => {
        if (msg.header.msg_type === "colab_request") return this.colabRequest(view, msg);
        acc.add(msg);
        this.paint(view);
      },
      onInput: async (prompt) => window.prompt(prompt) ?? "",
    });
    const count = reply["execution_count"];
    if (typeof count === "number") cell.execution_count = count;
    // Like Jupyter, a failed cell cancels the cells queued after it.
    if (reply["status"] !== "ok") this.runEpoch++;
    if (reply["ename"] === "KernelDied" && !cell.outputs.length) {
      const evalue = String(reply["evalue"]);
      cell.outputs.push({ output_type: "error", ename: "KernelDied", evalue, traceback: [] });
    }
    view.running = false;
    view.root.title = `Ran in ${((performance.now() - started) / 1000).toFixed(2)}s`;
    this.paint(view);
    this.saver.changed(0);
  }

  private colabRequest(view: CellView, msg: KernelMessage): void {
    if (!this.kernel) return;
    this.paint(view); // earlier outputs reach the frame before the request does
    handleColabRequest(msg, { kernel: this.kernel, frame: () => cellFrame(view.outputs) });
  }

  /** google.colab.kernel.disconnect(): close the connection; the next run reconnects. */
  private disconnect(): void {
    const kernel = this.kernel;
    this.kernel = null;
    this.session = null;
    kernel?.close();
    this.showKernel();
  }

  private async kernelAction(action: "interrupt" | "restart"): Promise<void> {
    if (!this.session) return;
    if (action === "restart") this.runEpoch++;
    try {
      const s = await this.session;
      await api("POST", `/api/runtimes/${s.runtime_id}/kernels/${s.kernel_id}/${action}`);
    } catch (e) {
      this.banner(e instanceof ApiError ? e.message : `Could not ${action} the kernel.`, "runtime");
    }
  }

  private indicator(): Indicator {
    const k = this.kernel;
    if (!k) return this.session ? "connecting" : "disconnected";
    if (k.connection === "connected") this.everConnected = true;
    if (k.connection !== "connected") return this.everConnected ? "reconnecting" : "connecting";
    if (k.kernelState === "busy" || k.kernelState === "dead" || k.kernelState === "restarting") {
      return k.kernelState;
    }
    return "idle";
  }

  private showKernel(): void {
    const state = this.indicator();
    this.kernelEl.textContent = INDICATOR_TEXT[state];
    this.kernelEl.dataset["state"] = state;
  }

  private banner(message: string, kind: "save" | "runtime"): void {
    // A save conflict outranks runtime news: it needs the user to act.
    const current = this.bannerEl.hidden ? null : this.bannerEl.dataset["kind"];
    if (kind === "runtime" && current === "save") return;
    this.bannerEl.textContent = message;
    this.bannerEl.dataset["kind"] = kind;
    this.bannerEl.hidden = !message;
  }

  private clearBanner(kind: "save" | "runtime"): void {
    if (this.bannerEl.dataset["kind"] === kind) this.banner("", kind);
  }
}

