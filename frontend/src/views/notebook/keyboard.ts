// The notebook's keyboard: one capture-phase listener that matches key presses (and
// Ctrl+M chords) against the command registry. Bindings in `keys` work while typing in
// a cell too; `commandKeys` only in command mode. Dialogs handle their own keys.
import type { CommandRegistry } from "../../commands/registry";
import { keyName } from "../../commands/keys";
import type { CellCursor } from "./cursor";

export function attachKeyboard(
  page: HTMLElement,
  registry: CommandRegistry,
  cursor: CellCursor,
): () => void {
  const matcher = registry.matcher();
  const onKey = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.isComposing) return;
    const target = e.target instanceof Element ? e.target : null;
    if (target?.closest(".modal")) return matcher.reset();
    if (target && target !== document.body && !page.contains(target)) return;
    const waiting = matcher.waiting;
    const result = matcher.feed(keyName(e));
    if (result.kind === "none") {
      // The second key of an unknown chord is swallowed rather than typed.
      if (waiting) e.preventDefault();
      return;
    }
    if (result.kind === "match" && registry.commandOnly(result.id, result.binding)) {
      if (!cursor.inCommandMode()) return;
    }
    e.preventDefault();
    e.stopPropagation();
    if (result.kind === "match") registry.run(result.id);
  };
  window.addEventListener("keydown", onKey, true);
  return () => window.removeEventListener("keydown", onKey, true);
}
