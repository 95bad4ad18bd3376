// The notebook page's side panels, as Colab's left strip of icons: one button per
// panel, at most one panel open beside the notebook; clicking the open panel's icon
// closes it. Other features add panels with `sidebar.add(panel)`.
import "./sidebar.css";

import { h } from "./dom";
import { ICONS } from "./icons";

export interface Panel {
  id: string;
  title: string;
  /** SVG markup (from our own code, e.g. `ICONS.key`) or a short text label. */
  icon: string;
  el: HTMLElement;
  /** Called each time the panel opens. */
  onShow?(): void;
}

// Colab's order of the strip; panels not listed here go after these.
const ORDER = ["toc", "find", "variables", "secrets", "files", "revisions"];
const rank = (id: string) => {
  const i = ORDER.indexOf(id);
  return i < 0 ? ORDER.length : i;
};

export class Sidebar {
  readonly el: HTMLElement;
  private strip = h("nav", { class: "sidebar-strip", "aria-label": "Side panels" });
  private host = h("aside", {
    class: "sidebar-panel",
    "data-testid": "sidebar-panel",
    hidden: true,
  });
  private titleEl = h("h2", { class: "sidebar-title" });
  private bodyEl = h("div", { class: "sidebar-body" });
  private panels = new Map<string, { panel: Panel; button: HTMLButtonElement }>();
  private open: string | null = null;
  /** Called after a panel opens or closes (the page may re-lay itself out). */
  onChange: (open: string | null) => void = () => {};

  constructor() {
    const close = h("button", {
      class: "icon-button",
      title: "Close",
      "aria-label": "Close panel",
      "data-testid": "sidebar-close",
    });
    close.innerHTML = ICONS.close;
    close.addEventListener("click", () => this.hide());
    this.host.append(h("div", { class: "sidebar-head" }, this.titleEl, close), this.bodyEl);
    this.el = h("div", { class: "sidebar", "data-testid": "sidebar" }, this.strip, this.host);
  }

  add(panel: Panel): void {
    this.panels.get(panel.id)?.button.remove();
    const button = h("button", {
      class: "sidebar-icon",
      title: panel.title,
      "aria-label": panel.title,
      "aria-pressed": "false",
      "data-testid": `sidebar-${panel.id}`,
      "data-panel": panel.id,
    });
    if (panel.icon.trimStart().startsWith("<svg")) button.innerHTML = panel.icon;
    else button.textContent = panel.icon;
    button.addEventListener("click", () => this.toggle(panel.id));
    this.panels.set(panel.id, { panel, button });
    const after = [...this.strip.children].find(
      (b) => rank((b as HTMLElement).dataset["panel"] ?? "") > rank(panel.id),
    );
    this.strip.insertBefore(button, after ?? null);
  }

  /** The id of the open panel, or null. */
  get current(): string | null {
    return this.open;
  }

  has(id: string): boolean {
    return this.panels.has(id);
  }

  show(id: string): void {
    const entry = this.panels.get(id);
    if (!entry) return;
    if (this.open !== id) {
      for (const { button } of this.panels.values()) button.setAttribute("aria-pressed", "false");
      entry.button.setAttribute("aria-pressed", "true");
      this.titleEl.textContent = entry.panel.title;
      this.bodyEl.replaceChildren(entry.panel.el);
      this.host.dataset["panel"] = id;
      this.host.hidden = false;
      this.open = id;
      this.onChange(id);
    }
    entry.panel.onShow?.();
  }

  hide(): void {
    if (this.open === null) return;
    this.panels.get(this.open)?.button.setAttribute("aria-pressed", "false");
    this.host.hidden = true;
    this.open = null;
    this.onChange(null);
  }

  toggle(id: string): void {
    if (this.open === id) this.hide();
    else this.show(id);
  }
}
