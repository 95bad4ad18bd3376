// Python literals as form fields use them: reading scalars, writing values back.
//
// The same rules as cloudbook/forms/literals.py (which uses ast.literal_eval plus checks);
// tests/forms/corpus.json holds both to the same answers. Accepted:
// - one or more adjacent strings (implicit concatenation), optional r/u prefix, either
//   quote, single or triple, with Python's escapes except \N{...};
// - an int (decimal, hex, octal, binary, "_" separators) or float, one optional sign;
// - True, False, None.

export type Scalar = string | number | boolean | null;
export type PyValue = Scalar | PyValue[];

export type Parsed =
  | { kind: "str"; value: string }
  | { kind: "int" | "float"; value: number; inRange: boolean }
  | { kind: "bool"; value: boolean }
  | { kind: "none"; value: null };

// What a JS number holds exactly; bigger integers are rejected on both sides.
export const MAX_SAFE_INT = Number.MAX_SAFE_INTEGER;
const MAX_INT_DIGITS = 4300;

const FLOAT_RE =
  /(?:[0-9](?:_?[0-9])*\.(?:[0-9](?:_?[0-9])*)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9](?:_?[0-9])*)?|[0-9](?:_?[0-9])*[eE][+-]?[0-9](?:_?[0-9])*/y;
const INT_RE = /0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|0(?:_?0)*|[1-9](?:_?[0-9])*/y;
const STRING_START = /([rRuU]?)(['"])/y;
// Characters repr() escapes (str.isprintable() is false for these categories).
const ESCAPED = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}\p{Zs}]$/u;
const SIMPLE_ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  "'": "'",
  '"': '"',
};

export function isWs(ch: string | undefined): boolean {
  return ch === " " || ch === "\t" || ch === "\f";
}

export function skipWs(text: string, pos: number): number {
  while (pos < text.length && isWs(text[pos])) pos++;
  return pos;
}

export function stripWs(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isWs(text[start])) start++;
  while (end > start && isWs(text[end - 1])) end--;
  return text.slice(start, end);
}

export function rstripWs(text: string): string {
  let end = text.length;
  while (end > 0 && isWs(text[end - 1])) end--;
  return text.slice(0, end);
}

function matchAt(re: RegExp, text: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(text);
}

function readNumber(text: string, pos: number): { parsed: Parsed; end: number } | null {
  const float = matchAt(FLOAT_RE, text, pos);
  if (float) {
    const value = Number(float[0].replace(/_/g, ""));
    return { parsed: { kind: "float", value, inRange: Number.isFinite(value) }, end: FLOAT_RE.lastIndex };
  }
  const int = matchAt(INT_RE, text, pos);
  if (!int) return null;
  const digits = int[0].replace(/_/g, "");
  // Python refuses decimal int literals longer than 4300 digits (sys.get_int_max_str_digits).
  if (/^[1-9]/.test(digits) && digits.length > MAX_INT_DIGITS) return null;
  const big = BigInt(digits);
  const inRange = big <= BigInt(MAX_SAFE_INT);
  return { parsed: { kind: "int", value: Number(big), inRange }, end: INT_RE.lastIndex };
}

function decodeEscapes(body: string): string | null {
  let out = "";
  let i = 0;
  while (i < body.length) {
    const ch = body[i];
    if (ch !== "\\") {
      out += ch;
      i++;
      continue;
    }
    const e = body[i + 1] ?? "";
    const simple = Object.hasOwn(SIMPLE_ESCAPES, e) ? SIMPLE_ESCAPES[e] : undefined;
    if (simple !== undefined) {
      out += simple;
      i += 2;
    } else if (e >= "0" && e <= "7") {
      let j = i + 1;
      while (j < i + 4 && j < body.length && /[0-7]/.test(body.charAt(j))) j++;
      out += String.fromCodePoint(parseInt(body.slice(i + 1, j), 8));
      i = j;
    } else if (e === "x" || e === "u" || e === "U") {
      const width = e === "x" ? 2 : e === "u" ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) return null;
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) return null;
      out += String.fromCodePoint(code);
      i += 2 + width;
    } else if (e === "N") {
      return null; // \N{name}: no Unicode name table in the browser, refused on both sides
    } else {
      out += "\\" + e; // unknown escapes stay verbatim, as in Python
      i += 2;
    }
  }
  return out;
}

function readString(text: string, pos: number): { value: string; end: number } | null {
  const m = matchAt(STRING_START, text, pos);
  if (!m) return null;
  const prefix = m[1] ?? "";
  const quote = m[2] ?? "'";
  const raw = prefix.toLowerCase() === "r";
  const start = pos + prefix.length;
  const closing = text.startsWith(quote.repeat(3), start) ? quote.repeat(3) : quote;
  const bodyStart = start + closing.length;
  let i = bodyStart;
  while (i < text.length && !text.startsWith(closing, i)) i += text[i] === "\\" ? 2 : 1;
  if (i >= text.length) return null;
  const body = text.slice(bodyStart, i);
  const value = raw ? body : decodeEscapes(body);
  return value === null ? null : { value, end: i + closing.length };
}

const KEYWORDS: Record<string, Parsed> = {
  True: { kind: "bool", value: true },
  False: { kind: "bool", value: false },
  None: { kind: "none", value: null },
};

/** The value of a scalar literal, or null when the text is not one. */
export function parseScalar(text: string): Parsed | null {
  if (text === "" || isWs(text[0]) || isWs(text[text.length - 1])) return null;
  let parsed: Parsed;
  let pos: number;
  const first = text.charAt(0);
  if (first === "+" || first === "-" || /[0-9.]/.test(first)) {
    const signed = first === "+" || first === "-";
    const num = readNumber(text, signed ? skipWs(text, 1) : 0);
    if (!num || num.parsed.kind === "str" || num.parsed.kind === "bool" || num.parsed.kind === "none") {
      return null;
    }
    let value = first === "-" ? -num.parsed.value : num.parsed.value;
    if (num.parsed.kind === "int" && value === 0) value = 0; // Python ints have no -0
    parsed = { kind: num.parsed.kind, value, inRange: num.parsed.inRange };
    pos = num.end;
  } else if (matchAt(STRING_START, text, 0)) {
    let value = "";
    pos = 0;
    for (;;) {
      const s = readString(text, pos);
      if (!s) return null;
      value += s.value;
      pos = skipWs(text, s.end);
      if (!matchAt(STRING_START, text, pos)) break;
    }
    parsed = { kind: "str", value };
  } else {
    const word = /^[A-Za-z]+/.exec(text)?.[0] ?? "";
    const keyword = Object.hasOwn(KEYWORDS, word) ? KEYWORDS[word] : undefined;
    if (keyword === undefined) return null;
    parsed = keyword;
    pos = word.length;
  }
  return skipWs(text, pos) === text.length ? parsed : null;
}

export function isIntegral(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value);
}

/** Integral values as ints, other floats as Python's repr() writes them. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) <= MAX_SAFE_INT) return String(value);
  return reprFloat(value);
}

function reprFloat(value: number): string {
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const sign = value < 0 ? "-" : "";
  // toExponential() gives the shortest round-trip digits, as repr() does.
  const [mantissa = "", exponent = ""] = Math.abs(value).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const point = Number(exponent) + 1; // digits are 0.d1d2... x 10^point
  if (point > -4 && point <= 16) {
    if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
    if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}.0`;
    return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  const e = point - 1;
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${m}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

/** A Python string literal for text, repr()-style, in the preferred quote where it can. */
export function formatString(text: string, prefer: string = "'"): string {
  const other = prefer === "'" ? '"' : "'";
  const quote = text.includes(prefer) && !text.includes(other) ? other : prefer;
  let out = quote;
  for (const ch of text) {
    if (ch === quote || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch !== " " && ESCAPED.test(ch)) {
      const code = ch.codePointAt(0) ?? 0;
      const hex = code.toString(16);
      out += code < 0x100 ? `\\x${hex.padStart(2, "0")}` : code < 0x10000 ? `\\u${hex.padStart(4, "0")}` : `\\U${hex.padStart(8, "0")}`;
    } else out += ch;
  }
  return out + quote;
}

/** Python source for a scalar or a (nested) list of scalars. */
export function formatLiteral(value: PyValue, prefer: string = "'"): string {
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string") return formatString(value, prefer);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError("number out of range");
    return formatNumber(value);
  }
  if (Array.isArray(value)) return "[" + value.map((v) => formatLiteral(v, prefer)).join(", ") + "]";
  throw new TypeError(`cannot write a ${typeof value} as a literal`);
}

/** The quote character a string literal's source uses; ' when it is no string. */
export function quoteOf(raw: string): string {
  for (const ch of raw) {
    if (ch === "'" || ch === '"') return ch;
    if (!"rRuU".includes(ch)) break;
  }
  return "'";
}

/** YYYY-MM-DD naming a real day (ASCII digits, year 1 or later). */
export function isValidDate(text: string): boolean {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1 || month < 1 || month > 12) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day >= 1 && day <= days;
}
