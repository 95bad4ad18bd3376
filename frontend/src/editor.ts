// The CodeMirror extensions every cell editor gets. No word completion: completions
// will come from the kernel (complete_request), not from words in the buffer.
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import {
  defaultKeymap,
  history,
  historyKeymap,
  indentWithTab,
  isolateHistory,
} from "@codemirror/commands";
import {
  bracketMatching,
  defaultHighlightStyle,
  indentOnInput,
  syntaxHighlighting,
} from "@codemirror/language";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { EditorState, type Extension } from "@codemirror/state";
import {
  crosshairCursor,
  drawSelection,
  EditorView,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  rectangularSelection,
} from "@codemirror/view";

// Ctrl+F / Ctrl+H open the notebook-wide find bar (views/find-bar.ts), not a per-cell panel;
// the rest of the search keymap stays (Ctrl+D adds the next occurrence, F3, Ctrl+Shift+L).
const cellSearchKeymap = searchKeymap.filter((b) => b.key !== "Mod-f");

const isMac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);

export const editorSetup: Extension = [
  lineNumbers(),
  highlightSpecialChars(),
  history(),
  drawSelection(),
  EditorState.allowMultipleSelections.of(true),
  indentOnInput(),
  syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
  bracketMatching(),
  closeBrackets(),
  // As in Colab's editor: Alt+click adds a cursor, Alt+Shift+drag selects a rectangle
  // (Ctrl/Cmd+click, CodeMirror's default, adds a cursor too).
  EditorView.clickAddsSelectionRange.of(
    (e) => (e.altKey && !e.shiftKey) || (isMac ? e.metaKey : e.ctrlKey),
  ),
  rectangularSelection({ eventFilter: (e) => e.altKey && e.shiftKey }),
  crosshairCursor({ key: "Alt" }),
  highlightSelectionMatches(),
  keymap.of([
    ...closeBracketsKeymap,
    ...defaultKeymap,
    ...cellSearchKeymap,
    ...historyKeymap,
    indentWithTab,
  ]),
];

/** Replaces an editor's text as one undoable change, touching only the part that differs
 * (so the cursor and the rest of the document stay where they are). */
export function replaceDoc(editor: EditorView, next: string): void {
  const current = editor.state.doc.toString();
  if (current === next) return;
  let start = 0;
  while (start < current.length && start < next.length && current[start] === next[start]) start++;
  let end = 0;
  while (
    end < current.length - start &&
    end < next.length - start &&
    current[current.length - 1 - end] === next[next.length - 1 - end]
  ) {
    end++;
  }
  const insert = next.slice(start, next.length - end);
  editor.dispatch({
    changes: { from: start, to: current.length - end, insert },
    userEvent: "input.form",
    // Each form edit is its own undo step, not merged with neighbouring edits.
    annotations: isolateHistory.of("full"),
  });
}
