// The toolbar's File menu: download as .ipynb / .py, print (as in Colab's File menu).
import "./file-menu.css";

import { downloadText, exportName, ipynbText } from "../export/download";
import { notebookToPython } from "../export/python";
import { h } from "./dom";

export interface FileMenuHost {
  name(): string;
  /** The notebook as nbformat JSON, with edits not saved yet. */
  content(): Record<string, unknown>;
  print(): void;
}

export function fileMenu(host: FileMenuHost): HTMLElement {
  const toggle = h(
    "button",
    { type: "button", "aria-haspopup": "menu", "aria-expanded": "false", "data-testid": "file-menu" },
    "File ▾",
  );
  const menu = h("div", { class: "menu", role: "menu", hidden: true });
  const close = () => {
    menu.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
  };
  const item = (label: string, testid: string, run: () => void) => {
    const b = h("button", { type: "button", role: "menuitem", "data-testid": testid }, label);
    b.addEventListener("click", () => {
      close();
      run();
    });
    menu.append(b);
  };
  item("Download .ipynb", "download-ipynb", () =>
    downloadText(exportName(host.name(), "ipynb"), ipynbText(host.content()), "application/x-ipynb+json"),
  );
  item("Download .py", "download-py", () =>
    downloadText(exportName(host.name(), "py"), notebookToPython(host.content()), "text/x-python"),
  );
  item("Print", "print", () => host.print());
  toggle.addEventListener("click", () => {
    const open = menu.hidden;
    menu.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
  });
  const root = h("div", { class: "file-menu" }, toggle, menu);
  document.addEventListener("click", (e) => {
    if (!root.contains(e.target as Node)) close();
  });
  root.addEventListener("keydown", (e) => {
    if (e.key === "Escape") close();
  });
  return root;
}
