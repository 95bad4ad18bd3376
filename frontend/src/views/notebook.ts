// The notebook page: cells with CodeMirror editors, running through the kernel proxy,
// outputs, and conditional autosave.
import { python } from "@codemirror/lang-python";
import { Prec } from "@codemirror/state";
import { EditorView, keymap } from "@codemirror/view";

import { editorSetup } from "../editor";

import { api, ApiError } from "../api";
import type { NotebookWithContent, SessionOut } from "../api-types";
import { KernelClient } from "../kernel";
import {
  type Cell,
  loadNotebook,
  newCodeCell,
  type Notebook,
  OutputAccumulator,
  saveNotebook,
} from "../model";
import { h } from "./dom";
import { renderOutputs } from "./outputs";

type SaveState = "saved" | "saving" | "unsaved" | "conflict" | "error";
const SAVE_DELAY_MS = 1500;

interface CellView {
  cell: Cell;
  root: HTMLElement;
  editor: EditorView | null;
  count: HTMLElement;
  outputs: HTMLElement;
}

export class NotebookPage {
  private nb!: Notebook;
  private revision = 0;
  private views = new Map<string, CellView>();
  private cellsEl = h("div", { class: "cells" });
  private saveEl = h("span", { class: "save-state", "data-testid": "save-state" });
  private kernelEl = h("span", { class: "kernel-state", "data-testid": "kernel-state" });
  private bannerEl = h("div", { class: "banner", role: "alert", hidden: true });
  private kernel: KernelClient | null = null;
  private session: Promise<SessionOut> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private saveTimer: number | undefined;
  private saving: Promise<void> | null = null;
  private dirty = false;

  constructor(
    private root: HTMLElement,
    private id: string,
  ) {}

  async open(): Promise<void> {
    const data = await api<NotebookWithContent>("GET", `/api/notebooks/${this.id}`);
    this.nb = loadNotebook(data.content);
    this.revision = data.revision;
    document.title = `${data.name} - cloudbook`;
    if (!this.nb.cells.length) this.nb.cells.push(newCodeCell());
    const addCode = h("button", { "data-testid": "add-code" }, "+ Code");
    addCode.addEventListener("click", () => this.insertCell(this.nb.cells.length));
    const runAll = h("button", {}, "Run all");
    runAll.addEventListener("click", () => this.nb.cells.forEach((c) => this.run(c)));
    const interrupt = h("button", {}, "Interrupt");
    interrupt.addEventListener("click", () => void this.kernelAction("interrupt"));
    const restart = h("button", {}, "Restart");
    restart.addEventListener("click", () => void this.kernelAction("restart"));
    const home = h("a", { href: "/", class: "brand" }, "cloudbook");
    this.root.replaceChildren(
      h(
        "div",
        { class: "notebook" },
        h(
          "header",
          { class: "toolbar" },
          home,
          h("span", { class: "nb-name", "data-testid": "notebook-name" }, data.name),
          this.saveEl,
          h("span", { class: "spacer" }),
          runAll,
          interrupt,
          restart,
          this.kernelEl,
        ),
        this.bannerEl,
        this.cellsEl,
        h("div", { class: "add-bar" }, addCode),
      ),
    );
    for (const cell of this.nb.cells) this.cellsEl.append(this.makeView(cell).root);
    this.setSave("saved");
    this.showKernel();
    window.addEventListener("pagehide", () => void this.saveNow(true));
    this.views.get(this.nb.cells[0]!.id)?.editor?.focus();
  }

  private makeView(cell: Cell): CellView {
    const count = h("div", { class: "count", "data-testid": "execution-count" });
    const outputs = h("div", { class: "outputs", "data-testid": "outputs" });
    const runButton = h("button", { class: "run", title: "Run cell", "aria-label": "Run cell" });
    runButton.textContent = "▶";
    runButton.addEventListener("click", () => this.run(cell));
    const editorHost = h("div", { class: "editor" });
    const root = h(
      "section",
      { class: `cell cell-${cell.cell_type}`, "data-testid": "cell" },
      h("div", { class: "gutter" }, runButton, count),
      h("div", { class: "body" }, editorHost, outputs),
    );
    const view: CellView = { cell, root, editor: null, count, outputs };
    view.editor = new EditorView({
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
        ...(cell.cell_type === "code" ? [python()] : []),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) {
            cell.source = update.state.doc.toString();
            this.scheduleSave();
          }
        }),
      ],
    });
    this.views.set(cell.id, view);
    this.paint(view);
    return view;
  }

  private paint(view: CellView): void {
    const n = view.cell.execution_count;
    const state = view.root.dataset["state"];
    view.count.textContent = state === "running" ? "[*]" : state === "queued" ? "[-]" : `[${n ?? " "}]`;
    renderOutputs(view.outputs, view.cell.outputs);
  }

  private insertCell(index: number): Cell {
    const cell = newCodeCell();
    this.nb.cells.splice(index, 0, cell);
    const view = this.makeView(cell);
    const after = this.nb.cells[index + 1];
    const anchor = after ? this.views.get(after.id)?.root : null;
    this.cellsEl.insertBefore(view.root, anchor ?? null);
    view.editor?.focus();
    this.scheduleSave();
    return cell;
  }

  private runAndAdvance(cell: Cell): void {
    this.run(cell);
    const index = this.nb.cells.indexOf(cell);
    const next = this.nb.cells[index + 1];
    if (next) this.views.get(next.id)?.editor?.focus();
    else this.insertCell(index + 1);
  }

  private connect(): Promise<SessionOut> {
    if (!this.session) {
      this.session = api<SessionOut>("POST", `/api/notebooks/${this.id}/session`).then((s) => {
        const scheme = location.protocol === "https:" ? "wss" : "ws";
        this.kernel = new KernelClient(`${scheme}://${location.host}${s.channels_url}`);
        this.kernel.onState = () => this.showKernel();
        return s;
      });
      this.session.catch(() => (this.session = null));
    }
    return this.session;
  }

  run(cell: Cell): void {
    if (cell.cell_type !== "code") return;
    const view = this.views.get(cell.id);
    if (!view) return;
    view.root.dataset["state"] = "queued";
    this.paint(view);
    this.queue = this.queue.then(() => this.execute(view)).catch(() => undefined);
  }

  private async execute(view: CellView): Promise<void> {
    const cell = view.cell;
    try {
      await this.connect();
    } catch (e) {
      view.root.dataset["state"] = "";
      this.banner(e instanceof ApiError ? e.message : "Could not connect to a runtime.");
      this.paint(view);
      return;
    }
    view.root.dataset["state"] = "running";
    cell.outputs = [];
    this.paint(view);
    const acc = new OutputAccumulator(cell);
    const started = performance.now();
    await this.kernel!.execute(cell.source, {
      onIopub: (msg) => {
        acc.add(msg);
        this.paint(view);
      },
      onInput: async (prompt) => window.prompt(prompt) ?? "",
    });
    view.root.dataset["state"] = "";
    view.root.title = `Ran in ${((performance.now() - started) / 1000).toFixed(2)}s`;
    this.paint(view);
    this.scheduleSave(0);
  }

  private async kernelAction(action: "interrupt" | "restart"): Promise<void> {
    if (!this.session) return;
    const s = await this.session;
    await api("POST", `/api/runtimes/${s.runtime_id}/kernels/${s.kernel_id}/${action}`);
  }

  private showKernel(): void {
    const k = this.kernel;
    const text = !k
      ? "Not connected"
      : k.connection !== "connected"
        ? k.connection === "connecting" ? "Connecting…" : "Reconnecting…"
        : k.kernelState === "busy" ? "Busy" : k.kernelState === "dead" ? "Kernel died"
        : k.kernelState === "restarting" ? "Restarting…" : "Connected";
    this.kernelEl.textContent = text;
  }

  private banner(message: string): void {
    this.bannerEl.textContent = message;
    this.bannerEl.hidden = !message;
  }

  private setSave(state: SaveState): void {
    const labels: Record<SaveState, string> = {
      saved: "Saved",
      saving: "Saving…",
      unsaved: "Unsaved changes",
      conflict: "Not saved: changed elsewhere",
      error: "Not saved",
    };
    this.saveEl.textContent = labels[state];
    this.saveEl.dataset["state"] = state;
  }

  private scheduleSave(delay = SAVE_DELAY_MS): void {
    this.dirty = true;
    this.setSave("unsaved");
    window.clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => void this.saveNow(), delay);
  }

  private async saveNow(leaving = false): Promise<void> {
    if (!this.dirty) return;
    if (this.saving) {
      await this.saving;
      if (!leaving) return this.scheduleSave(0);
    }
    this.dirty = false;
    this.setSave("saving");
    const body = { content: saveNotebook(this.nb), base_revision: this.revision };
    this.saving = api<{ revision: number }>("PUT", `/api/notebooks/${this.id}`, body)
      .then((r) => {
        this.revision = r.revision;
        this.setSave(this.dirty ? "unsaved" : "saved");
      })
      .catch((e: unknown) => {
        this.dirty = true;
        if (e instanceof ApiError && e.status === 409) {
          this.setSave("conflict");
          this.banner("This notebook was changed elsewhere. Reload to see the newer version.");
        } else {
          this.setSave("error");
        }
      })
      .finally(() => (this.saving = null));
    await this.saving;
  }
}
