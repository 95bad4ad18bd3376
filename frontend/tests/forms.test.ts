// The shared corpus (tests/forms/corpus.json) against frontend/src/forms; the server's
// cloudbook.forms answers the same cases in tests/forms/test_corpus.py.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

import { coerceCliValue, FormValueError, formFields, formatLiteral, parseCell, parseScalar, rewriteValue, type PyValue } from "../src/forms";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Case {
  name: string;
  source: string;
  items: { [key: string]: Json }[];
  title?: string | null;
  title_line?: number | null;
  title_options?: { [key: string]: Json };
  errors?: { line: number; message: string }[];
  rewrites?: { line: number; value: Json; expect?: string; error?: string }[];
  cli?: { line: number; text: string; value?: Json; error?: string }[];
}
interface LiteralCase {
  text: string;
  kind?: string;
  value?: Json;
  invalid?: boolean;
  out_of_range?: boolean;
}
interface FormatCase {
  value: Json;
  prefer: string;
  expect: string;
}

const corpus = JSON.parse(readFileSync(new URL("../../tests/forms/corpus.json", import.meta.url), "utf-8")) as {
  cells: Case[];
  literals: LiteralCase[];
  formats: FormatCase[];
};

const PARAM_DEFAULTS = { kind: "param", options: null, allow_input: false, min: null, max: null, step: null, placeholder: null, error: null };
const TITLE_DEFAULTS = { run: null, display_mode: null, vertical_output: null, form_width: null };

function expectedForm(c: Case): Json {
  const items = c.items.map((item) => (item.kind === "markdown" ? item : { ...PARAM_DEFAULTS, ...item }));
  const errors =
    c.errors ??
    items
      .filter((item) => item.kind === "param" && item.error !== null)
      .map((item) => ({ line: item.line as number, message: item.error as string }));
  return {
    title: c.title ?? null,
    title_line: c.title_line ?? null,
    title_options: { ...TITLE_DEFAULTS, ...(c.title_options ?? {}) },
    items,
    errors,
  } as Json;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (exc) {
    return exc;
  }
  return undefined;
}

describe("forms corpus: cells", () => {
  it("is large enough", () => {
    expect(corpus.cells.filter((c) => c.items.length > 0 || (c.title ?? null) !== null).length).toBeGreaterThanOrEqual(80);
  });

  for (const c of corpus.cells) {
    describe(c.name, () => {
      it("parses", () => {
        const got = parseCell(c.source);
        // Through JSON, as the server and the corpus see it (-0 and 0 agree there).
        expect(JSON.parse(JSON.stringify(got))).toEqual(expectedForm(c));
      });

      for (const r of c.rewrites ?? []) {
        it(`rewrites line ${r.line} to ${JSON.stringify(r.value)}`, () => {
          if (r.error !== undefined) {
            const exc = thrown(() => rewriteValue(c.source, r.line, r.value));
            expect(exc).toBeInstanceOf(FormValueError);
            expect((exc as Error).message).toBe(r.error);
            return;
          }
          const result = rewriteValue(c.source, r.line, r.value);
          expect(result).toBe(r.expect);
          const field = formFields(parseCell(result)).find((f) => f.line === r.line);
          expect(field?.error).toBeNull();
        });
      }

      for (const x of c.cli ?? []) {
        it(`coerces -p ${x.text}`, () => {
          const field = formFields(parseCell(c.source)).find((f) => f.line === x.line);
          expect(field).toBeDefined();
          if (!field) return;
          if (x.error !== undefined) {
            const exc = thrown(() => coerceCliValue(field, x.text));
            expect(exc).toBeInstanceOf(FormValueError);
            expect((exc as Error).message).toBe(x.error);
            return;
          }
          const value = coerceCliValue(field, x.text);
          expect(value).toEqual(x.value);
          rewriteValue(c.source, x.line, value);
        });
      }
    });
  }
});

describe("forms corpus: literals", () => {
  for (const l of corpus.literals) {
    it(JSON.stringify(l.text), () => {
      const parsed = parseScalar(l.text);
      if (l.invalid) {
        expect(parsed).toBeNull();
        return;
      }
      expect(parsed).not.toBeNull();
      if (!parsed) return;
      expect(parsed.kind).toBe(l.kind);
      if (l.out_of_range) {
        expect("inRange" in parsed && parsed.inRange).toBe(false);
        return;
      }
      if ("inRange" in parsed) expect(parsed.inRange).toBe(true);
      expect(parsed.value).toEqual(l.value);
    });
  }
});

describe("forms corpus: formats", () => {
  for (const f of corpus.formats) {
    it(`${JSON.stringify(f.value)} with ${f.prefer}`, () => {
      const text = formatLiteral(f.value as PyValue, f.prefer);
      expect(text).toBe(f.expect);
      if (!Array.isArray(f.value)) {
        const back = parseScalar(text);
        expect(back?.value).toEqual(f.value === 0 ? 0 : f.value);
      }
    });
  }
});
