// The notebook's commands, defined once: the keyboard handler, the menus, the command
// palette and the shortcuts dialog all read this list. Bindings follow Colab's.
import type { Command } from "../../commands/registry";
import type { NotebookPage } from "../notebook";

export function notebookCommands(p: NotebookPage): Command[] {
  const current = () => p.cursor.current();
  const withCurrent = (fn: (c: NonNullable<ReturnType<typeof current>>) => void) => () => {
    const c = current();
    if (c) fn(c);
  };
  return [
    // Running
    { id: "run-cell", label: "Run cell", group: "Run", keys: ["Ctrl+Enter"], run: withCurrent((c) => p.run(c)) },
    { id: "run-advance", label: "Run cell and select next cell", group: "Run", keys: ["Shift+Enter"], run: withCurrent((c) => p.runAndAdvance(c)) },
    { id: "run-insert", label: "Run cell and insert new cell below", group: "Run", keys: ["Alt+Enter"], run: withCurrent((c) => p.runAndInsert(c)) },
    { id: "run-selected", label: "Run selected cells", group: "Run", keys: ["Ctrl+Shift+Enter"], run: () => p.runSelected() },
    { id: "run-all", label: "Run all", group: "Run", keys: ["Ctrl+F9"], run: () => p.runAll() },
    { id: "run-before", label: "Run before", group: "Run", keys: ["Ctrl+F8"], run: () => p.runBefore() },
    { id: "run-after", label: "Run after", group: "Run", keys: ["Ctrl+F10"], run: () => p.runAfter() },
    { id: "interrupt", label: "Interrupt execution", group: "Run", keys: ["Ctrl+M I"], run: () => void p.interrupt() },
    { id: "restart", label: "Restart runtime", group: "Run", keys: ["Ctrl+M ."], run: () => void p.restart() },
    { id: "restart-run-all", label: "Restart runtime and run all", group: "Run", run: () => void p.restartAndRunAll() },
    // Cells
    { id: "insert-code-above", label: "Insert code cell above", group: "Cell", keys: ["Ctrl+M A"], run: () => void p.ops.insertNear("above") },
    { id: "insert-code-below", label: "Insert code cell below", group: "Cell", keys: ["Ctrl+M B"], run: () => void p.ops.insertNear("below") },
    { id: "insert-text-above", label: "Insert text cell above", group: "Cell", run: () => void p.ops.insertNear("above", true) },
    { id: "insert-text-below", label: "Insert text cell below", group: "Cell", run: () => void p.ops.insertNear("below", true) },
    { id: "delete-cells", label: "Delete cell or selection", group: "Cell", keys: ["Ctrl+M D"], run: () => p.ops.deleteSelection() },
    { id: "move-up", label: "Move selected cells up", group: "Cell", keys: ["Ctrl+M K"], run: () => p.ops.moveSelection(-1) },
    { id: "move-down", label: "Move selected cells down", group: "Cell", keys: ["Ctrl+M J"], run: () => p.ops.moveSelection(1) },
    { id: "to-text", label: "Convert to text cell", group: "Cell", keys: ["Ctrl+M M"], run: () => p.ops.convertSelection("markdown") },
    { id: "to-code", label: "Convert to code cell", group: "Cell", keys: ["Ctrl+M Y"], run: () => p.ops.convertSelection("code") },
    // Edit
    { id: "undo-cells", label: "Undo last cell operation", group: "Edit", keys: ["Ctrl+M Z"], run: () => p.ops.undo(), enabled: () => p.ops.canUndo },
    { id: "redo-cells", label: "Redo last cell operation", group: "Edit", keys: ["Ctrl+Shift+Y"], run: () => p.ops.redo(), enabled: () => p.ops.canRedo },
    { id: "copy-cells", label: "Copy cell or selection", group: "Edit", keys: ["Ctrl+M C"], run: () => void p.clipboard.copy() },
    { id: "cut-cells", label: "Cut cell or selection", group: "Edit", keys: ["Ctrl+M X"], run: () => void p.clipboard.cut() },
    { id: "paste-cells", label: "Paste cells", group: "Edit", keys: ["Ctrl+M V"], run: () => p.ops.pasteLocal() },
    { id: "select-all", label: "Select all cells", group: "Edit", commandKeys: ["Ctrl+A"], run: () => p.cursor.selectAll() },
    // Navigation and modes
    { id: "edit-mode", label: "Edit the current cell", group: "Navigation", commandKeys: ["Enter"], run: () => p.cursor.editMode() },
    { id: "next-cell", label: "Select next cell", group: "Navigation", keys: ["Ctrl+M N"], commandKeys: ["Down"], run: () => p.cursor.step(1) },
    { id: "previous-cell", label: "Select previous cell", group: "Navigation", keys: ["Ctrl+M P"], commandKeys: ["Up"], run: () => p.cursor.step(-1) },
    { id: "extend-down", label: "Extend selection to the next cell", group: "Navigation", commandKeys: ["Shift+Down"], run: () => p.cursor.step(1, true) },
    { id: "extend-up", label: "Extend selection to the previous cell", group: "Navigation", commandKeys: ["Shift+Up"], run: () => p.cursor.step(-1, true) },
    // Tools
    { id: "line-numbers", label: "Toggle line numbers", group: "Tools", keys: ["Ctrl+M L"], run: () => p.toggleLineNumbers() },
    { id: "save", label: "Save notebook", group: "Tools", keys: ["Ctrl+S", "Ctrl+M S"], run: () => void p.saver.flush() },
    { id: "palette", label: "Show command palette", group: "Tools", keys: ["Ctrl+Shift+P"], run: () => p.openPalette() },
    { id: "shortcuts", label: "Show keyboard shortcuts", group: "Tools", keys: ["Ctrl+M H"], run: () => p.openShortcuts() },
  ];
}
