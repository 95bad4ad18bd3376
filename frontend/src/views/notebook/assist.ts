// The page side of the assist features: find/replace, downloads and print as commands
// (menus, palette, keys), and taking a merged revision into the page after a save conflict.
import type { Command } from "../../commands/registry";
import { downloadText, exportName, ipynbText } from "../../export/download";
import { notebookToPython } from "../../export/python";
import { describeMerge, mergeNotebooks } from "../../merge";
import { loadNotebook, type Notebook, saveNotebook } from "../../model";
import { replaceDoc } from "../../editor";
import type { FindBar } from "../find-bar";
import type { PrintView } from "../print-view";
import type { Latest } from "../saver";
import type { CellList } from "./cell-list";

type Json = Record<string, unknown>;

export interface AssistPage {
  nb: Notebook;
  cells: CellList;
  find: FindBar;
  printView: PrintView;
  name(): string;
}

export function assistCommands(p: AssistPage): Command[] {
  const content = () => saveNotebook(p.nb);
  return [
    { id: "find", label: "Find", group: "Edit", keys: ["Ctrl+F"], run: () => p.find.show() },
    {
      id: "find-replace",
      label: "Find and replace",
      group: "Edit",
      keys: ["Ctrl+H"],
      run: () => p.find.show(),
    },
    {
      id: "download-ipynb",
      label: "Download .ipynb",
      group: "File",
      run: () =>
        downloadText(exportName(p.name(), "ipynb"), ipynbText(content()), "application/x-ipynb+json"),
    },
    {
      id: "download-py",
      label: "Download .py",
      group: "File",
      run: () => downloadText(exportName(p.name(), "py"), notebookToPython(content()), "text/x-python"),
    },
    { id: "print", label: "Print", group: "File", keys: ["Ctrl+P"], run: () => p.printView.print() },
  ];
}

/** Someone saved the notebook elsewhere: merges their revision into the page and says
 * what happened (`tell`). */
export function mergeIntoPage(p: AssistPage, latest: Latest, base: Json | null, tell: (m: string) => void): void {
  const merged = mergeNotebooks(base, saveNotebook(p.nb), latest.content, latest.revision);
  replaceContent(p, merged.content);
  tell(describeMerge(merged.report, latest.revision));
}

/** Shows `json` instead of the current notebook. Cells that stay keep their views (the
 * editor gets the new text as an undoable change; output frames are not reloaded). */
export function replaceContent(p: AssistPage, json: Json): void {
  const next = loadNotebook(json);
  p.nb.rest = next.rest;
  const cells = next.cells.map((incoming) => {
    const cell = p.cells.byId(incoming.id);
    const view = cell && p.cells.find(cell);
    if (!cell || !view || cell.cell_type !== incoming.cell_type) return incoming;
    const { source, ...rest } = incoming;
    Object.assign(cell, rest);
    replaceDoc(view.editor, source);
    view.paintForm();
    view.paint();
    if (view.root.classList.contains("md-rendered")) view.preview.render(cell.source);
    return cell;
  });
  p.cells.setCells(cells);
}
