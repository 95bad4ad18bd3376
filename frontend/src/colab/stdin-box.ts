// The one-line box under a running cell's output: for a shell command (Colab's
// cell_display_stdin) each line typed is written to its terminal, and for input() /
// getpass() it answers the kernel's input_request. Echo off masks it (passwords).
import { h } from "../views/dom";
import { type KernelMessage, makeMessage } from "../wire";

export class StdinBox {
  readonly el: HTMLElement;
  private input: HTMLInputElement;
  private label: HTMLElement = h("span", { class: "stdin-prompt" });
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
    this.el = h("div", { class: "stdin-box", "data-testid": "stdin-box" }, this.label, this.input);
  }

  setPrompt(prompt: string): void {
    this.label.textContent = prompt;
  }

  /** Shows the box after `delayMillis` unless the command ended first. */
  show(delayMillis: number): void {
    if (this.el.isConnected || this.timer) return;
    const show = () => {
      this.timer = null;
      this.anchor.after(this.el);
      this.input.focus();
    };
    if (delayMillis > 0) this.timer = setTimeout(show, delayMillis);
    else show();
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

const asking = new WeakMap<HTMLElement, () => void>();

/** `input()` / `getpass()` of a running cell: the prompt and a box under its outputs;
 * resolves with the line (no newline) on Enter. */
export function askLine(anchor: HTMLElement, prompt: string, password: boolean): Promise<string> {
  cancelAsk(anchor);
  return new Promise((resolve) => {
    const box = new StdinBox(anchor, (line) => {
      asking.delete(anchor);
      box.remove();
      resolve(line.replace(/\n$/, ""));
    });
    box.setPrompt(prompt);
    box.setEcho(!password);
    box.show(0);
    asking.set(anchor, () => {
      box.remove();
      resolve("");
    });
  });
}

/** Removes a question the kernel no longer waits for (the cell ended or was interrupted). */
export function cancelAsk(anchor: HTMLElement): void {
  asking.get(anchor)?.();
  asking.delete(anchor);
}

/** The answered question as it stays in the cell's output (and the saved notebook): a
 * stdout line `prompt + answer`, as Colab and Jupyter show it; a password's answer is
 * never written, only its prompt. */
export function inputEcho(prompt: string, answer: string, password: boolean): KernelMessage {
  const text = `${prompt}${password ? "" : answer}\n`;
  return makeMessage("stream", { name: "stdout", text }, "", "iopub");
}
