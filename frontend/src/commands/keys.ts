// Key names and chords: "Ctrl+M B" means Ctrl+M, then B. Cmd counts as Ctrl, so one
// binding serves macOS and the rest, as in Colab.

export interface KeyLike {
  key: string;
  code?: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

const NAMES: Record<string, string> = {
  " ": "Space",
  ArrowUp: "Up",
  ArrowDown: "Down",
  ArrowLeft: "Left",
  ArrowRight: "Right",
  Esc: "Escape",
};

/** One key press as a name like "Ctrl+Shift+P", "Shift+Enter", "B" or "."; "" for a
 * modifier on its own. */
export function keyName(e: KeyLike): string {
  let key = e.key;
  if (["Control", "Meta", "Shift", "Alt", "AltGraph", "OS"].includes(key)) return "";
  // Alt changes the character on some layouts (Alt+Enter is fine, Alt+M is not):
  // a letter or digit is read from the physical key instead.
  const code = e.code ?? "";
  if (e.altKey && /^Key[A-Z]$/.test(code)) key = code.slice(3);
  else if (e.altKey && /^Digit\d$/.test(code)) key = code.slice(5);
  key = NAMES[key] ?? key;
  if (key.length === 1) key = key.toUpperCase();
  const mods: string[] = [];
  if (e.ctrlKey || e.metaKey) mods.push("Ctrl");
  if (e.altKey) mods.push("Alt");
  // Shift is part of a printed symbol (">" is Shift+.), but not of a letter or named key.
  if (e.shiftKey && (key.length > 1 || /[A-Z0-9]/.test(key))) mods.push("Shift");
  return [...mods, key].join("+");
}

/** Shows a binding the way the platform writes it ("Ctrl+M B" → "⌘M B" on macOS). */
export function displayKeys(binding: string, mac = false): string {
  if (!mac) return binding;
  return binding.replace(/Ctrl\+/g, "⌘").replace(/Alt\+/g, "⌥").replace(/Shift\+/g, "⇧");
}

export type ChordResult =
  | { kind: "none" }
  | { kind: "prefix" }
  | { kind: "match"; id: string; binding: string };

/** Matches key presses against bindings of one or two steps. */
export class ChordMatcher {
  private bindings = new Map<string, string>();
  private prefixes = new Set<string>();
  private pending: string | null = null;

  constructor(bindings: Iterable<[string, string]>) {
    for (const [keys, id] of bindings) {
      this.bindings.set(keys, id);
      const steps = keys.split(" ");
      if (steps.length > 1) this.prefixes.add(steps[0]!);
    }
  }

  get waiting(): boolean {
    return this.pending !== null;
  }

  reset(): void {
    this.pending = null;
  }

  feed(name: string): ChordResult {
    if (!name) return this.pending ? { kind: "prefix" } : { kind: "none" };
    if (this.pending) {
      const full = `${this.pending} ${name}`;
      // "Ctrl+M Ctrl+B" works like "Ctrl+M B" (people keep Ctrl down).
      const loose = name.startsWith("Ctrl+") ? `${this.pending} ${name.slice(5)}` : full;
      this.pending = null;
      const binding = this.bindings.has(full) ? full : loose;
      const id = this.bindings.get(binding);
      return id ? { kind: "match", id, binding } : { kind: "none" };
    }
    if (this.prefixes.has(name)) {
      this.pending = name;
      return { kind: "prefix" };
    }
    const id = this.bindings.get(name);
    return id ? { kind: "match", id, binding: name } : { kind: "none" };
  }
}
