// The box that opens from the RAM / Disk bars (Colab's "View resources" and
// "Disconnect and delete runtime"): the figures as text, and the disconnect button.
import type { ResourcesOut } from "../api-types";
import { h } from "./dom";
import type { NotebookContext } from "./page-context";
import { formatBytes } from "./resources-format";

export class RuntimeDetails {
  readonly el = h("div", {
    class: "runtime-details",
    role: "dialog",
    "aria-label": "Runtime resources",
    "data-testid": "runtime-details",
    hidden: true,
  });
  private figures = h("dl", { class: "runtime-figures" });
  private readonly outside = (e: Event) => {
    if (!this.el.contains(e.target as Node) && !this.anchor.contains(e.target as Node)) {
      this.hide();
    }
  };

  constructor(
    private ctx: NotebookContext,
    private anchor: HTMLElement,
  ) {
    const disconnect = h(
      "button",
      { "data-testid": "runtime-disconnect" },
      "Disconnect and delete runtime",
    );
    disconnect.addEventListener("click", () => void this.disconnect(disconnect));
    this.el.append(h("h3", {}, "Resources"), this.figures, disconnect);
  }

  get open(): boolean {
    return !this.el.hidden;
  }

  toggle(r: ResourcesOut | null): void {
    if (this.open) return this.hide();
    this.update(r);
    this.el.hidden = false;
    document.addEventListener("mousedown", this.outside, true);
  }

  hide(): void {
    this.el.hidden = true;
    document.removeEventListener("mousedown", this.outside, true);
  }

  /** New figures (while open they refresh in place). */
  update(r: ResourcesOut | null): void {
    if (!r) return this.figures.replaceChildren(h("dd", {}, "No figures yet."));
    const row = (label: string, used: number, total: number) => [
      h("dt", {}, label),
      h("dd", {}, `${formatBytes(used)} / ${formatBytes(total)}`),
    ];
    this.figures.replaceChildren(
      ...row("System RAM", r.memory.used, r.memory.total),
      ...row("Disk", r.disk.used, r.disk.total),
      ...r.gpus.flatMap((g) => [
        ...row(`GPU RAM (${g.name})`, g.memory_used, g.memory_total),
        // NVML's utilisation: the share of the last sample period a kernel ran on it.
        h("dt", {}, `GPU utilisation (${g.name})`),
        h("dd", { "data-testid": "gpu-utilisation" }, `${g.utilization}%`),
      ]),
    );
  }

  private async disconnect(button: HTMLButtonElement): Promise<void> {
    const ok = window.confirm(
      "Disconnect and delete this runtime? Its files in /content and the variables of " +
        "the kernel are lost.",
    );
    if (!ok) return;
    button.disabled = true;
    try {
      await this.ctx.disconnect(); // the page shows "Connect" again and says what happened
      this.hide();
    } finally {
      button.disabled = false;
    }
  }

  dispose(): void {
    this.hide();
  }
}
