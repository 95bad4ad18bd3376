// The alert line under the toolbar. A save conflict outranks runtime news: it needs
// the user to act.
import { h } from "../dom";

export type BannerKind = "save" | "runtime";

export class Banner {
  readonly el = h("div", { class: "banner", role: "alert", hidden: true });

  show(message: string, kind: BannerKind): void {
    const current = this.el.hidden ? null : this.el.dataset["kind"];
    if (kind === "runtime" && current === "save") return;
    this.el.textContent = message;
    this.el.dataset["kind"] = kind;
    this.el.hidden = !message;
  }

  clear(kind: BannerKind): void {
    if (this.el.dataset["kind"] === kind) this.show("", kind);
  }
}
