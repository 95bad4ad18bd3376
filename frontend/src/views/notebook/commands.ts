// The notebook's commands, defined once: the keyboard handler, the menus, the command
// palette and the shortcuts dialog all read this list. Bindings follow Colab's
// (Tools > Keyboard shortcuts there); `commandKeys` work only in command mode.
import { LiveSaver } from "../../live/live-saver";
import type { Command } from "../../commands/registry";
import type { Cell } from "../../model";
import type { NotebookPage } from "../notebook";

type Keys = Pick<Command, "keys" | "commandKeys" | "enabled">;

export function notebookCommands(p: NotebookPage): Command[] {
  const list: Command[] = [];
  let group = "";
  const add = (id: string, label: string, run: () => void, keys: Keys = {}) =>
    list.push({ id, label, group, run, ...keys });
  const onCurrent = (fn: (c: Cell) => void) => () => {
    const c = p.cursor.current();
    if (c) fn(c);
  };

  group = "Run";
  add("run-cell", "Run cell", onCurrent((c) => p.run(c)), { keys: ["Ctrl+Enter"] });
  add("run-advance", "Run cell and select next cell", onCurrent((c) => p.runAndAdvance(c)), {
    keys: ["Shift+Enter"],
  });
  add("run-insert", "Run cell and insert new cell below", onCurrent((c) => p.runAndInsert(c)), {
    keys: ["Alt+Enter"],
  });
  add("run-selected", "Run selected cells", () => p.runSelected(), { keys: ["Ctrl+Shift+Enter"] });
  add("run-all", "Run all", () => p.runAll(), { keys: ["Ctrl+F9"] });
  add("run-before", "Run before", () => p.runBefore(), { keys: ["Ctrl+F8"] });
  add("run-after", "Run after", () => p.runAfter(), { keys: ["Ctrl+F10"] });
  add("interrupt", "Interrupt execution", () => void p.interrupt(), { keys: ["Ctrl+M I"] });
  add("restart", "Restart runtime", () => void p.restart(), { keys: ["Ctrl+M ."] });
  add("restart-run-all", "Restart runtime and run all", () => void p.restartAndRunAll());
  add("delete-runtime", "Disconnect and delete runtime", () => void p.deleteRuntime());

  group = "Cell";
  const ops = () => p.ops;
  add("insert-code-above", "Insert code cell above", () => void ops().insertNear("above"), {
    keys: ["Ctrl+M A"],
  });
  add("insert-code-below", "Insert code cell below", () => void ops().insertNear("below"), {
    keys: ["Ctrl+M B"],
  });
  add("insert-text-above", "Insert text cell above", () => void ops().insertNear("above", true));
  add("insert-text-below", "Insert text cell below", () => void ops().insertNear("below", true));
  add("delete-cells", "Delete cell or selection", () => ops().deleteSelection(), {
    keys: ["Ctrl+M D"],
  });
  add("move-up", "Move selected cells up", () => ops().moveSelection(-1), { keys: ["Ctrl+M K"] });
  add("move-down", "Move selected cells down", () => ops().moveSelection(1), {
    keys: ["Ctrl+M J"],
  });
  add("to-text", "Convert to text cell", () => ops().convertSelection("markdown"), {
    keys: ["Ctrl+M M"],
  });
  add("to-code", "Convert to code cell", () => ops().convertSelection("code"), {
    keys: ["Ctrl+M Y"],
  });

  add("split-cell", "Split cell at cursor", () => ops().splitCurrent(), { keys: ["Ctrl+M -"] });
  add("clear-output", "Clear output of selected cells", () => ops().clearOutputs());
  add("clear-all-outputs", "Clear all outputs", () => ops().clearOutputs(true));

  group = "Edit";
  add("undo-cells", "Undo last cell operation", () => ops().undo(), {
    keys: ["Ctrl+M Z"],
    enabled: () => ops().canUndo,
  });
  add("redo-cells", "Redo last cell operation", () => ops().redo(), {
    keys: ["Ctrl+Shift+Y"],
    enabled: () => ops().canRedo,
  });
  add("copy-cells", "Copy cell or selection", () => p.clipboard.copy(), { keys: ["Ctrl+M C"] });
  add("cut-cells", "Cut cell or selection", () => p.clipboard.cut(), { keys: ["Ctrl+M X"] });
  add("paste-cells", "Paste cells", () => ops().pasteLocal(), { keys: ["Ctrl+M V"] });
  add("select-all", "Select all cells", () => p.cursor.selectAll(), { commandKeys: ["Ctrl+A"] });

  group = "Navigation";
  add("edit-mode", "Edit the current cell", () => p.cursor.editMode(), {
    commandKeys: ["Enter"],
  });
  add("next-cell", "Select next cell", () => p.cursor.step(1), {
    keys: ["Ctrl+M N"],
    commandKeys: ["Down"],
  });
  add("previous-cell", "Select previous cell", () => p.cursor.step(-1), {
    keys: ["Ctrl+M P"],
    commandKeys: ["Up"],
  });
  add("extend-down", "Extend selection to the next cell", () => p.cursor.step(1, true), {
    commandKeys: ["Shift+Down"],
  });
  add("extend-up", "Extend selection to the previous cell", () => p.cursor.step(-1, true), {
    commandKeys: ["Shift+Up"],
  });

  group = "Tools";
  add("line-numbers", "Toggle line numbers", () => p.toggleLineNumbers(), {
    keys: ["Ctrl+M L"],
  });
  // With live documents the service saves on its own: an explicit save pins the revision.
  const live = p.saver instanceof LiveSaver;
  const save = () => (p.saver instanceof LiveSaver ? p.saver.pin() : void p.saver.flush());
  add("save", live ? "Save and pin revision" : "Save notebook", save, {
    keys: ["Ctrl+S", "Ctrl+M S"],
  });
  add("palette", "Show command palette", () => p.openPalette(), { keys: ["Ctrl+Shift+P"] });
  add("shortcuts", "Show keyboard shortcuts", () => p.openShortcuts(), { keys: ["Ctrl+M H"] });
  return list;
}
