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

/** Scores `label` against a fuzzy `query`; null when it does not match. Each word of the
 * query must start at a word of the label and continue with its letters in order
 * ("ins bel", "mv sel up"); adjacent letters and a matching start score higher. */
export function fuzzyScore(query: string, label: string): number | null {
  const tokens = query.toLowerCase().split(/\s+/).filter(Boolean);
  const l = label.toLowerCase();
  if (!tokens.length) return 0;
  const starts: number[] = [];
  for (let i = 0; i < l.length; i++) if (i === 0 || /[\s\-/(,]/.test(l[i - 1]!)) starts.push(i);
  let score = 0;
  for (const t of tokens) {
    let best: number | null = null;
    for (const s of starts) {
      if (l[s] !== t[0]) continue;
      let at = s;
      let points = 10;
      for (const ch of t.slice(1)) {
        const next = l.indexOf(ch, at + 1);
        if (next < 0) {
          points = -1;
          break;
        }
        points += next === at + 1 ? 5 : 1;
        at = next;
      }
      if (points >= 0 && (best === null || points > best)) best = points;
    }
    if (best === null) return null;
    score += best;
  }
  if (l.startsWith(query.trim().toLowerCase())) score += 20;
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
