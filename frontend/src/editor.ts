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
  highlightSpecialChars,
  type EditorView,
  keymap,
  lineNumbers,
  rectangularSelection,
} from "@codemirror/view";

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
  rectangularSelection(),
  crosshairCursor(),
  highlightSelectionMatches(),
  keymap.of([
    ...closeBracketsKeymap,
    ...defaultKeymap,
    ...searchKeymap,
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
