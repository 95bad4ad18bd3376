// Kernel-backed editor help for code cells: completions (complete_request) on Tab,
// Ctrl+Space and after typing an attribute dot; the signature/docstring tooltip
// (inspect_request) on typing "(" and on Shift+Tab. Without a connected kernel both
// offer nothing: asking never starts a runtime (as in Colab).
import "./kernel-assist.css";

import {
  acceptCompletion,
  autocompletion,
  type CompletionContext,
  type CompletionResult,
  completionStatus,
  startCompletion,
} from "@codemirror/autocomplete";
import { indentLess, indentMore } from "@codemirror/commands";
import { type Extension, Prec, StateEffect, StateField } from "@codemirror/state";
import { EditorView, keymap, showTooltip, type Tooltip } from "@codemirror/view";

import { toCodePoint } from "../assist/codepoints";
import {
  afterAttributeDot,
  completionsFromReply,
  inspectText,
  wantsCompletion,
} from "../assist/complete";
import type { KernelClient } from "../kernel";
import type { KernelMessage } from "../wire";

export type KernelGetter = () => KernelClient | null;

/** A kernel's first completion imports its completer (seconds on a loaded machine);
 * past this the answer is dropped. */
const REPLY_TIMEOUT_MS = 30_000;

async function ask(
  getKernel: KernelGetter,
  msgType: string,
  content: Record<string, unknown>,
): Promise<KernelMessage | null> {
  const kernel = getKernel();
  if (!kernel || kernel.connection !== "connected") return null;
  // A running cell holds the shell channel: the answer would come after it, too late.
  if (kernel.kernelState === "busy") return null;
  let timer: number | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = window.setTimeout(() => resolve(null), REPLY_TIMEOUT_MS);
  });
  try {
    return await Promise.race([kernel.request(msgType, content).catch(() => null), timeout]);
  } finally {
    window.clearTimeout(timer);
  }
}

function lineBefore(view: { state: EditorView["state"] }, pos: number): string {
  const line = view.state.doc.lineAt(pos);
  return line.text.slice(0, pos - line.from);
}

function completionSource(getKernel: KernelGetter) {
  return async (ctx: CompletionContext): Promise<CompletionResult | null> => {
    if (!ctx.explicit && !afterAttributeDot(lineBefore(ctx, ctx.pos))) return null;
    const code = ctx.state.doc.toString();
    const reply = await ask(getKernel, "complete_request", {
      code,
      cursor_pos: toCodePoint(code, ctx.pos),
    });
    if (!reply || ctx.aborted) return null;
    const found = completionsFromReply(code, reply.content);
    if (!found || found.to !== ctx.pos) return null;
    return { from: found.from, to: found.to, options: found.items, validFor: /^[\w$]*$/ };
  };
}

// --- the inspect tooltip ------------------------------------------------------------

interface Inspect {
  /** Where the tooltip points (the start of the name). */
  pos: number;
  /** Where it was asked for: moving before it closes the tooltip. */
  asked: number;
  text: string;
}

const setInspect = StateEffect.define<Inspect | null>();

const inspectField = StateField.define<Inspect | null>({
  create: () => null,
  update(value, tr) {
    for (const e of tr.effects) if (e.is(setInspect)) return e.value;
    if (!value) return value;
    if (tr.docChanged) {
      const { changes } = tr;
      value = { ...value, pos: changes.mapPos(value.pos), asked: changes.mapPos(value.asked) };
    }
    if (tr.docChanged || tr.selection) {
      // Closed once the cursor leaves the call: before its "(", to another line, or past
      // the matching ")".
      const head = tr.state.selection.main.head;
      const line = tr.state.doc.lineAt(value.pos);
      if (head < value.asked || head > line.to) return null;
      let depth = 0;
      for (const ch of tr.state.sliceDoc(value.asked, head)) {
        if (ch === "(") depth++;
        else if (ch === ")" && --depth < 0) return null;
      }
    }
    return value;
  },
  provide: (f) =>
    showTooltip.compute([f], (state): Tooltip | null => {
      const value = state.field(f);
      if (!value) return null;
      return {
        pos: value.pos,
        above: true,
        create: () => {
          const dom = document.createElement("div");
          dom.className = "cm-inspect-tooltip";
          dom.dataset["testid"] = "inspect-tooltip";
          const pre = document.createElement("pre");
          pre.textContent = value.text;
          dom.append(pre);
          return { dom };
        },
      };
    }),
});

async function showInspect(view: EditorView, getKernel: KernelGetter, pos: number) {
  const code = view.state.doc.toString();
  const reply = await ask(getKernel, "inspect_request", {
    code,
    cursor_pos: toCodePoint(code, pos),
    detail_level: 0,
  });
  const text = reply ? inspectText(reply.content) : null;
  // Only if nothing moved away meanwhile.
  if (!text || view.state.doc.toString() !== code || view.state.selection.main.head !== pos) return;
  // The tooltip sits at the start of the called name (or at the cursor).
  const before = lineBefore(view, pos);
  const name = /[\w.]*\(?$/.exec(before)?.[0] ?? "";
  view.dispatch({ effects: setInspect.of({ pos: pos - name.length, asked: pos, text }) });
}

/** The editor extension for a code cell whose kernel `getKernel` returns. */
export function kernelAssist(getKernel: KernelGetter): Extension {
  const connected = () => getKernel()?.connection === "connected";
  const tab = (view: EditorView): boolean => {
    if (completionStatus(view.state) === "active") return acceptCompletion(view);
    const { main } = view.state.selection;
    if (main.empty && connected() && wantsCompletion(lineBefore(view, main.head))) {
      return startCompletion(view);
    }
    return indentMore(view);
  };
  const shiftTab = (view: EditorView): boolean => {
    const { main } = view.state.selection;
    const before = lineBefore(view, main.head);
    if (main.empty && connected() && /[\w(]$/.test(before)) {
      void showInspect(view, getKernel, main.head);
      return true;
    }
    return indentLess(view);
  };
  const escape = (view: EditorView): boolean => {
    if (!view.state.field(inspectField)) return false;
    view.dispatch({ effects: setInspect.of(null) });
    return true;
  };
  return [
    // interactionDelay 0: Enter accepts as soon as the list shows, as in Colab (the
    // kernel's answer arriving can re-open the list just before the key).
    autocompletion({
      override: [completionSource(getKernel)],
      icons: true,
      defaultKeymap: true,
      interactionDelay: 0,
    }),
    inspectField,
    Prec.high(
      keymap.of([
        { key: "Tab", run: tab },
        { key: "Shift-Tab", run: shiftTab },
        { key: "Escape", run: escape },
      ]),
    ),
    EditorView.updateListener.of((update) => {
      if (!update.docChanged || !update.transactions.some((t) => t.isUserEvent("input.type"))) {
        return;
      }
      let opened = false;
      update.changes.iterChanges((_a, _b, _from, _to, inserted) => {
        if (inserted.toString().startsWith("(")) opened = true;
      });
      const head = update.state.selection.main.head;
      if (opened && /\w\($/.test(lineBefore(update.view, head))) {
        void showInspect(update.view, getKernel, head);
      }
    }),
    EditorView.domEventHandlers({
      blur: (_e, view) => {
        if (view.state.field(inspectField)) view.dispatch({ effects: setInspect.of(null) });
      },
    }),
  ];
}
