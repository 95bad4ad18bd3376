// Top right, as in Colab: the connection badge (painted by KernelSession: "Connect"
// when there is no runtime, then a button that connects; "Connecting…", …) and, once
// connected, RAM / Disk (/ GPU) bars of the runtime, polled from the service while the
// page is visible; the numbers are in the tooltip, and a click on the bars opens them
// as text with "Disconnect and delete runtime" (runtime-details.ts).
import "./runtime-widget.css";

import { api } from "../api";
import type { ResourcesOut, SessionOut } from "../api-types";
import { h } from "./dom";
import { type Indicator, INDICATOR_TEXT } from "./indicator";
import type { NotebookContext } from "./page-context";
import { describeResources } from "./resources-format";
import { RuntimeDetails } from "./runtime-details";

export const RESOURCES_POLL_MS = 5000;

function bar(label: string, used: number, total: number): HTMLElement {
  const share = total > 0 ? Math.min(1, used / total) : 0;
  const level = share > 0.95 ? "full" : share > 0.8 ? "high" : "ok";
  return h(
    "div",
    { class: "res-row", "data-testid": `resources-${label.toLowerCase()}`, "data-level": level },
    h("span", { class: "res-label" }, label),
    h(
      "span",
      { class: "res-bar" },
      h("span", { class: "res-fill", style: `width: ${(share * 100).toFixed(1)}%` }),
    ),
  );
}

export class RuntimeWidget {
  readonly el: HTMLElement;
  private resEl = h("div", {
    class: "resources",
    "data-testid": "resources",
    role: "button",
    tabindex: "0",
    hidden: true,
  });
  private details: RuntimeDetails;
  private last: ResourcesOut | null = null;
  private state: Indicator = "disconnected";
  private timer: number | undefined;
  private polling: SessionOut | null = null;
  private stopSession: () => void;
  private readonly onVisible = () => {
    if (!document.hidden && this.polling) void this.poll(this.polling);
  };

  constructor(
    ctx: NotebookContext,
    private stateEl: HTMLElement,
  ) {
    this.details = new RuntimeDetails(ctx, this.resEl);
    this.el = h("div", { class: "runtime-widget" }, stateEl, this.resEl, this.details.el);
    this.resEl.addEventListener("click", () => this.details.toggle(this.last));
    this.resEl.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") this.details.toggle(this.last);
    });
    const connect = () => {
      if (this.state === "disconnected") void ctx.connect().catch(() => undefined);
    };
    stateEl.addEventListener("click", connect);
    stateEl.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") connect();
    });
    this.stopSession = ctx.onSession((s) => this.follow(s));
    document.addEventListener("visibilitychange", this.onVisible);
    this.showState("disconnected");
  }

  showState(state: Indicator): void {
    this.state = state;
    const button = state === "disconnected";
    this.stateEl.setAttribute("role", button ? "button" : "status");
    this.stateEl.tabIndex = button ? 0 : -1;
    this.stateEl.title = button ? "Connect to a runtime" : INDICATOR_TEXT[state];
    const connected = state === "idle" || state === "busy";
    this.resEl.hidden = !connected || !this.resEl.childElementCount;
  }

  private follow(s: SessionOut | null): void {
    window.clearTimeout(this.timer);
    this.polling = s;
    this.last = null;
    this.details.hide();
    this.resEl.replaceChildren();
    this.resEl.hidden = true;
    if (s) void this.poll(s);
  }

  private async poll(s: SessionOut): Promise<void> {
    window.clearTimeout(this.timer);
    if (this.polling !== s) return;
    if (!document.hidden) {
      try {
        const r = await api<ResourcesOut>("GET", `/api/runtimes/${s.runtime_id}/resources`);
        if (this.polling !== s) return;
        this.render(r);
      } catch {
        // The runtime may be restarting or going away; the state badge says which.
      }
    }
    if (this.polling === s) {
      this.timer = window.setTimeout(() => void this.poll(s), RESOURCES_POLL_MS);
    }
  }

  private render(r: ResourcesOut): void {
    const rows = [
      bar("RAM", r.memory.used, r.memory.total),
      bar("Disk", r.disk.used, r.disk.total),
    ];
    for (const g of r.gpus) rows.push(bar("GPU", g.memory_used, g.memory_total));
    this.resEl.replaceChildren(...rows);
    this.last = r;
    this.details.update(r);
    const text = describeResources(r);
    this.resEl.title = text;
    this.resEl.setAttribute("aria-label", text.replace(/\n/g, "; "));
    this.showState(this.state);
  }

  dispose(): void {
    this.polling = null;
    window.clearTimeout(this.timer);
    this.stopSession();
    this.details.dispose();
    document.removeEventListener("visibilitychange", this.onVisible);
  }
}
