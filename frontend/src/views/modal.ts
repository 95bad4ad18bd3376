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
    // On the document, not the box: a button disabled while it works drops the focus
    // to <body>, and Esc must still close the topmost dialog.
    document.addEventListener("keydown", this.onKey);
    document.body.append(this.backdrop);
  }

  private onKey = (e: KeyboardEvent): void => {
    if (e.key !== "Escape" || e.defaultPrevented) return;
    const modals = document.querySelectorAll(".modal");
    if (modals[modals.length - 1] !== this.backdrop) return;
    e.preventDefault();
    this.close();
  };

  close(): void {
    if (!this.backdrop.isConnected) return;
    document.removeEventListener("keydown", this.onKey);
    this.backdrop.remove();
    this.previous?.focus({ preventScroll: true });
    this.onClose();
  }
}
