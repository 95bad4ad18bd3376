// A modal dialog over the page: Esc or a click outside closes it, and the focus goes
// back where it was.
import "./palette.css";

import { h } from "./dom";

export class Modal {
  readonly backdrop: HTMLElement;
  readonly box: HTMLElement;
  private previous = document.activeElement as HTMLElement | null;

  constructor(
    label: string,
    className: string,
    private onClose: () => void = () => {},
  ) {
    this.box = h("div", { class: `modal-box ${className}`, role: "dialog", "aria-label": label });
    this.backdrop = h("div", { class: "modal" }, this.box);
    this.backdrop.addEventListener("mousedown", (e) => {
      if (e.target === this.backdrop) this.close();
    });
    this.backdrop.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.preventDefault();
        this.close();
      }
    });
    document.body.append(this.backdrop);
  }

  close(): void {
    if (!this.backdrop.isConnected) return;
    this.backdrop.remove();
    this.previous?.focus({ preventScroll: true });
    this.onClose();
  }
}
