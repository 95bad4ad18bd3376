// Find-bar matches drawn in a cell editor: every match, and the current one stronger.
import { type Extension, RangeSetBuilder, StateEffect, StateField } from "@codemirror/state";
import { Decoration, type DecorationSet, EditorView } from "@codemirror/view";

import type { Match } from "./search";

export interface FindMarks {
  matches: Match[];
  /** Index into matches of the current match in this cell, or -1. */
  current: number;
}

export const setFindMarks = StateEffect.define<FindMarks>();

const matchMark = Decoration.mark({ class: "cm-find-match" });
const currentMark = Decoration.mark({ class: "cm-find-match cm-find-current" });

const marksField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    for (const e of tr.effects) {
      if (!e.is(setFindMarks)) continue;
      const builder = new RangeSetBuilder<Decoration>();
      const len = tr.state.doc.length;
      e.value.matches.forEach((m, i) => {
        if (m.to <= len) builder.add(m.from, m.to, i === e.value.current ? currentMark : matchMark);
      });
      return builder.finish();
    }
    return tr.docChanged ? marks.map(tr.changes) : marks;
  },
  provide: (f) => EditorView.decorations.from(f),
});

/** The editor side of the find bar; `onChange` hears every document change. */
export function findMarks(onChange: (view: EditorView) => void): Extension {
  return [
    marksField,
    EditorView.updateListener.of((update) => {
      if (update.docChanged) onChange(update.view);
    }),
  ];
}
