// Matching and replacement for the notebook-wide find bar (pure: no DOM, no editor).
export interface FindOptions {
  query: string;
  caseSensitive: boolean;
  regex: boolean;
}

export interface Match {
  from: number;
  to: number;
}

export type Compiled = { re: RegExp } | { error: string } | null;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The search as a global RegExp; null for an empty query, an error for a bad pattern. */
export function compile(opts: FindOptions): Compiled {
  if (!opts.query) return null;
  const source = opts.regex ? opts.query : escapeRegex(opts.query);
  // m: ^ and $ match at line ends, as in editors.
  const flags = `gm${opts.caseSensitive ? "" : "i"}`;
  try {
    return { re: new RegExp(source, flags) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : "Invalid regular expression" };
  }
}

const MAX_MATCHES_PER_TEXT = 10_000;

/** Every non-empty match in `text`. */
export function findMatches(text: string, re: RegExp): Match[] {
  const out: Match[] = [];
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) && out.length < MAX_MATCHES_PER_TEXT) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    out.push({ from: m.index, to: m.index + m[0].length });
  }
  return out;
}

/** What replaces the match at `match` in `text`: the literal text, or with regex on the
 * template with $1, $<name>, $& and $$ expanded (as String.replace does). */
export function replacementAt(
  text: string,
  match: Match,
  re: RegExp,
  template: string,
  regex: boolean,
): string {
  if (!regex) return template;
  const sticky = new RegExp(re.source, re.flags.replace("g", "") + "y");
  sticky.lastIndex = match.from;
  const m = sticky.exec(text);
  if (!m) return template;
  return template.replace(/\$(\$|&|<([^>]*)>|(\d{1,2}))/g, (all, what: string, name, num) => {
    if (what === "$") return "$";
    if (what === "&") return m[0];
    if (name !== undefined) return m.groups?.[name as string] ?? "";
    const n = Number(num);
    return n > 0 && n < m.length ? (m[n] ?? "") : all;
  });
}

export interface Change {
  from: number;
  to: number;
  insert: string;
}

/** The changes that replace every match in `text`. */
export function replaceAllChanges(
  text: string,
  re: RegExp,
  template: string,
  regex: boolean,
): Change[] {
  return findMatches(text, re).map((m) => ({
    ...m,
    insert: replacementAt(text, m, re, template, regex),
  }));
}
