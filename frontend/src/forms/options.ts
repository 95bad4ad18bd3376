// The option syntax after #@param and #@title: [choices] and {key: value}.
//
// Reads both the older JavaScript-object style ({type:"slider", min:0, max:10}) and the
// newer JSON style ({"type":"slider","min":0,"max":10}); nothing is evaluated. Mirrors
// cloudbook/forms/options.py.

import { MAX_SAFE_INT, isWs, parseScalar, type Scalar } from "./literals";

export const BAD_OBJECT = "invalid option syntax";
export const BAD_LIST = "invalid dropdown list";
export const TRAILING = "unexpected text after #@param";
export const OUT_OF_RANGE = "number out of range";

const NUMBER_RE = /[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/y;
const KEY_RE = /[A-Za-z_][A-Za-z0-9_-]*/y;
const WORDS: Record<string, Scalar> = { true: true, True: true, false: false, False: false, null: null, None: null };

/** The annotation's option text does not parse; the message is the short note. */
export class SpecError extends Error {
  override name = "SpecError";
}

export type OptionObject = Map<string, Scalar>;

class Scanner {
  constructor(
    readonly text: string,
    public pos = 0,
  ) {}

  skipWs(): void {
    while (this.pos < this.text.length && isWs(this.text[this.pos])) this.pos++;
  }

  peek(): string {
    return this.text.slice(this.pos, this.pos + 1);
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  private match(re: RegExp): string | null {
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    return m ? m[0] : null;
  }

  string(message: string): string {
    const quote = this.text[this.pos];
    let i = this.pos + 1;
    while (i < this.text.length && this.text[i] !== quote) i += this.text[i] === "\\" ? 2 : 1;
    if (i >= this.text.length) throw new SpecError(message);
    const parsed = parseScalar(this.text.slice(this.pos, i + 1));
    this.pos = i + 1;
    if (!parsed || parsed.kind !== "str") throw new SpecError(message);
    return parsed.value;
  }

  value(message: string): Scalar {
    const ch = this.peek();
    if (ch === "'" || ch === '"') return this.string(message);
    const token = this.match(NUMBER_RE);
    if (token !== null) {
      const next = this.text.slice(this.pos + token.length, this.pos + token.length + 1);
      if (/[A-Za-z0-9_.]/.test(next)) throw new SpecError(message);
      this.pos += token.length;
      if (/[.eE]/.test(token)) {
        const value = Number(token);
        if (!Number.isFinite(value)) throw new SpecError(OUT_OF_RANGE);
        return value;
      }
      const big = BigInt(token.replace(/^[+-]/, ""));
      if (big > BigInt(MAX_SAFE_INT)) throw new SpecError(OUT_OF_RANGE);
      const value = Number(big);
      return token.startsWith("-") && value !== 0 ? -value : value;
    }
    const word = this.match(KEY_RE);
    const known = word !== null && Object.hasOwn(WORDS, word) ? WORDS[word] : undefined;
    if (word !== null && known !== undefined) {
      this.pos += word.length;
      return known;
    }
    throw new SpecError(message);
  }

  key(): string {
    const ch = this.peek();
    if (ch === "'" || ch === '"') return this.string(BAD_OBJECT);
    const word = this.match(KEY_RE);
    if (word === null) throw new SpecError(BAD_OBJECT);
    this.pos += word.length;
    return word;
  }

  list(): Scalar[] {
    this.pos++;
    const items: Scalar[] = [];
    for (;;) {
      this.skipWs();
      if (this.peek() === "]") {
        this.pos++;
        return items;
      }
      items.push(this.value(BAD_LIST));
      this.skipWs();
      if (this.peek() === ",") this.pos++;
      else if (this.peek() !== "]") throw new SpecError(BAD_LIST);
    }
  }

  object(): OptionObject {
    this.pos++;
    const obj: OptionObject = new Map();
    for (;;) {
      this.skipWs();
      if (this.peek() === "}") {
        this.pos++;
        return obj;
      }
      const key = this.key();
      this.skipWs();
      if (this.peek() !== ":") throw new SpecError(BAD_OBJECT);
      this.pos++;
      this.skipWs();
      obj.set(key, this.value(BAD_OBJECT));
      this.skipWs();
      if (this.peek() === ",") this.pos++;
      else if (this.peek() !== "}") throw new SpecError(BAD_OBJECT);
    }
  }
}

/** What follows @param: an optional choice list and an optional object, either order. */
export function parseParamSpec(spec: string): { choices: Scalar[] | null; obj: OptionObject | null } {
  const scanner = new Scanner(spec);
  let choices: Scalar[] | null = null;
  let obj: OptionObject | null = null;
  for (;;) {
    scanner.skipWs();
    if (scanner.atEnd()) return { choices, obj };
    const ch = scanner.peek();
    if (ch === "[" && choices === null) choices = scanner.list();
    else if (ch === "{" && obj === null) obj = scanner.object();
    else throw new SpecError(TRAILING);
  }
}

/** Exactly one {...} object (surrounding blanks allowed), as #@title uses. */
export function parseObject(text: string): OptionObject {
  const scanner = new Scanner(text);
  scanner.skipWs();
  if (scanner.peek() !== "{") throw new SpecError(BAD_OBJECT);
  const obj = scanner.object();
  scanner.skipWs();
  if (!scanner.atEnd()) throw new SpecError(BAD_OBJECT);
  return obj;
}
