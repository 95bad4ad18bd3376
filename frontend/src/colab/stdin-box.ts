// The one-line box under a running shell command's output (Colab's cell_display_stdin):
// each line typed is written to the command's terminal; echo off masks it (passwords).
import { h } from "../views/dom";

export class StdinBox {
  readonly el: HTMLElement;
  private input: HTMLInputElement;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private anchor: HTMLElement,
    private send: (line: string) => void,
  ) {
    this.input = h("input", {
      type: "text",
      class: "stdin-input",
      "data-testid": "stdin-input",
      "aria-label": "Input to the running command",
      autocomplete: "off",
      spellcheck: "false",
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        this.send(this.input.value + "\n");
        this.input.value = "";
      } else if (event.key === "d" && event.ctrlKey && !this.input.value) {
        event.preventDefault();
        this.send("\u0004");
      }
    });
    this.el = h("div", { class: "stdin-box", "data-testid": "stdin-box" }, this.input);
  }

  /** Shows the box after `delayMillis` unless the command ended first. */
  show(delayMillis: number): void {
    if (this.el.isConnected || this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.anchor.after(this.el);
        this.input.focus();
      },
      Math.max(0, delayMillis),
    );
  }

  setEcho(echo: boolean): void {
    this.input.type = echo ? "text" : "password";
    this.el.dataset["echo"] = String(echo);
  }

  remove(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.el.remove();
  }
}
