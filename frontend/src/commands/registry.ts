// Every notebook command is defined once here-shaped and used by the menus, the command
// palette, the shortcuts dialog and the keyboard handler.
import { ChordMatcher } from "./keys";

export interface Command {
  id: string;
  label: string;
  /** Bindings such as "Ctrl+M B", also while typing in a cell; the first is shown first. */
  keys?: string[];
  /** Bindings only in command mode (no editor focus), such as "Up" or "Ctrl+A". */
  commandKeys?: string[];
  /** Groups commands in the shortcuts dialog ("Cell", "Run", …). */
  group?: string;
  run(): void;
  /** Left out of the palette and menus when false. */
  enabled?(): boolean;
}

export class CommandRegistry {
  private commands = new Map<string, Command>();

  add(...commands: Command[]): void {
    for (const c of commands) {
      if (this.commands.has(c.id)) throw new Error(`duplicate command ${c.id}`);
      this.commands.set(c.id, c);
    }
  }

  get(id: string): Command | undefined {
    return this.commands.get(id);
  }

  all(): Command[] {
    return [...this.commands.values()];
  }

  /** Runs a command if it exists and is enabled; true when it ran. */
  run(id: string): boolean {
    const c = this.commands.get(id);
    if (!c || (c.enabled && !c.enabled())) return false;
    c.run();
    return true;
  }

  /** A matcher over every binding of every command. */
  matcher(): ChordMatcher {
    const pairs: [string, string][] = [];
    for (const c of this.commands.values()) {
      for (const k of [...(c.keys ?? []), ...(c.commandKeys ?? [])]) pairs.push([k, c.id]);
    }
    return new ChordMatcher(pairs);
  }

  /** True when `binding` of command `id` works only in command mode. */
  commandOnly(id: string, binding: string): boolean {
    return this.commands.get(id)?.commandKeys?.includes(binding) ?? false;
  }
}

/** Scores `label` against a fuzzy `query` (letters in order, case-insensitive); null when
 * it does not match. Higher is better: word starts and adjacent letters count more. */
export function fuzzyScore(query: string, label: string): number | null {
  const q = query.toLowerCase().replace(/\s+/g, "");
  const l = label.toLowerCase();
  if (!q) return 0;
  let score = 0;
  let at = -1;
  for (const ch of q) {
    const next = l.indexOf(ch, at + 1);
    if (next < 0) return null;
    const wordStart = next === 0 || /[\s\-/(]/.test(l[next - 1]!);
    score += wordStart ? 8 : next === at + 1 ? 5 : 1;
    at = next;
  }
  if (l.startsWith(query.toLowerCase())) score += 20;
  return score - label.length / 100;
}

/** The commands matching `query`, best first (the registry order among equals). */
export function filterCommands(commands: Command[], query: string): Command[] {
  const scored: { c: Command; s: number; i: number }[] = [];
  commands.forEach((c, i) => {
    const s = fuzzyScore(query, c.label);
    if (s !== null) scored.push({ c, s, i });
  });
  return scored.sort((a, b) => b.s - a.s || a.i - b.i).map((x) => x.c);
}
