// The alert line under the toolbar. A save conflict outranks runtime news: it needs
// the user to act.
import { h } from "../dom";

export type BannerKind = "save" | "runtime";
/** "info": news that needs nothing from the user (drawn in blue, not the alert's red). */
export type BannerTone = "alert" | "info";

export class Banner {
  readonly el = h("div", { class: "banner", role: "alert", hidden: true });

  show(message: string, kind: BannerKind, tone: BannerTone = "alert"): void {
    const current = this.el.hidden ? null : this.el.dataset["kind"];
    if (kind === "runtime" && current === "save") return;
    this.el.textContent = message;
    this.el.dataset["kind"] = kind;
    this.el.dataset["tone"] = tone;
    this.el.hidden = !message;
  }

  clear(kind: BannerKind): void {
    if (this.el.dataset["kind"] === kind) this.show("", kind);
  }
}
