// An error output as Colab shows it: IPython's coloured traceback in a box that
// scrolls when long, and the "ename: evalue" line set apart under it.
import "./traceback.css";

import { ansiToNodes, stripAnsi } from "../ansi";
import { h } from "./dom";

export function renderError(ename: string, evalue: string, traceback: string[]): HTMLElement {
  const box = h("div", { class: "error-box", role: "group", "aria-label": `Error: ${ename}` });
  const summary = evalue ? `${ename}: ${evalue}` : ename;
  const frames = [...traceback];
  // IPython ends the traceback with the summary line: it is shown once, set apart.
  const last = frames[frames.length - 1];
  if (last !== undefined && stripAnsi(last).trim() === summary.trim()) frames.pop();
  if (frames.length) {
    const pre = h("pre", { class: "output-error-text error-traceback" });
    pre.append(...ansiToNodes(frames.join("\n")));
    box.append(pre);
  }
  const line = h("div", { class: "error-summary", "data-testid": "error-summary" });
  line.append(
    h("span", { class: "error-name", "data-testid": "error-name" }, ename),
    evalue ? `: ${evalue}` : "",
  );
  box.append(line);
  return box;
}
