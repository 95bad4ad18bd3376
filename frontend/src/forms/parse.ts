// Reading a code cell's form annotations: #@title, #@markdown and #@param.
//
// Line based and never throws: a malformed annotation becomes a field with an error note
// and the rest of the cell still parses. Mirrors cloudbook/forms/parse.py.

import { isIntegral, isValidDate, isWs, parseScalar, rstripWs, stripWs, type Scalar } from "./literals";
import { FIELD_TYPES, type FieldType, type Form, type FormError, type FormField, type FormItem, type TitleOptions } from "./model";
import { SpecError, parseObject, parseParamSpec, type OptionObject } from "./options";

const TITLE = /^#[ \t]*@title(?=$|[ \t\f{])/;
const MARKDOWN = /^#[ \t]*@markdown(?=$|[ \t\f])/;
const PARAM = /#[ \t]*@param(?=$|[ \t\f[{])/y;
// A Python identifier as Python's re `\w` sees it.
const NAME = "[\\p{L}\\p{Nl}\\p{No}_][\\p{L}\\p{N}_]*";
const ASSIGN = new RegExp(`^([ \\t\\f]*)(${NAME})([ \\t\\f]*=)(?!=)[ \\t\\f]*`, "u");
const NAME_AT_START = new RegExp(`^[ \\t\\f]*(${NAME})`, "u");
const DISPLAY_MODES = ["form", "both", "code"];
export const NOT_ASSIGNMENT = 'expected "name = value" before #@param';

/** Lines as the form sees them: split on \n, a trailing \r is not content. */
export function splitLines(source: string): string[] {
  return source.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
}

function lstripWs(text: string): string {
  let i = 0;
  while (i < text.length && isWs(text[i])) i++;
  return text.slice(i);
}

/** A field plus where its value sits in the line, for rewriting. */
export interface ParamLine {
  field: FormField;
  valueStart: number;
  valueEnd: number;
  eqEnd: number; // just after "=", -1 when the line is no assignment
  annotationOk: boolean;
}

class Annotation {
  type: FieldType = "raw";
  options: Scalar[] | null = null;
  allowInput = false;
  min: number | null = null;
  max: number | null = null;
  step: number | null = null;
  placeholder: string | null = null;
  error: string | null = null;

  // Only the first problem is reported: one short message per line.
  note(message: string): void {
    if (this.error === null) this.error = message;
  }
}

/** Index of the first # outside string literals, -1 if none (or a string never ends). */
export function findComment(line: string): number {
  let i = 0;
  const n = line.length;
  while (i < n) {
    const ch = line[i];
    if (ch === "#") return i;
    if (ch === "'" || ch === '"') {
      const closing = line.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
      let j = i + closing.length;
      while (j < n && !line.startsWith(closing, j)) j += line[j] === "\\" ? 2 : 1;
      if (j >= n) return -1;
      i = j + closing.length;
      continue;
    }
    i++;
  }
  return -1;
}

function numberOption(ann: Annotation, obj: OptionObject, key: string): number | null {
  const value = obj.get(key) ?? null;
  if (value === null) return null;
  if (typeof value !== "number") {
    ann.note(`option "${key}" must be a number`);
    return null;
  }
  return value;
}

function annotation(spec: string): Annotation {
  const ann = new Annotation();
  let choices: Scalar[] | null;
  let obj: OptionObject;
  try {
    const parsed = parseParamSpec(spec);
    choices = parsed.choices;
    obj = parsed.obj ?? new Map();
  } catch (exc) {
    if (!(exc instanceof SpecError)) throw exc;
    ann.note(exc.message);
    return ann;
  }
  if (obj.has("type")) {
    const declared = obj.get("type");
    if (typeof declared !== "string") ann.note('option "type" must be a string');
    else if (!(FIELD_TYPES as readonly string[]).includes(declared)) ann.note(`unknown type "${declared}"`);
    else ann.type = declared as FieldType;
  } else if (choices !== null && choices.every((c) => typeof c === "string")) {
    ann.type = "string";
  }
  const allow = obj.has("allow-input") ? obj.get("allow-input") : false;
  if (typeof allow === "boolean") ann.allowInput = allow;
  else ann.note('option "allow-input" must be true or false');
  const placeholder = obj.get("placeholder") ?? null;
  if (placeholder === null || typeof placeholder === "string") ann.placeholder = placeholder;
  else ann.note('option "placeholder" must be a string');
  if (choices !== null) {
    ann.options = choices;
    if (ann.type === "boolean" || ann.type === "date" || ann.type === "slider") {
      ann.note(`type "${ann.type}" cannot have dropdown options`);
    } else if (ann.type === "string" && !choices.every((c) => typeof c === "string")) {
      ann.note("dropdown options must be strings");
    } else if (ann.type === "number" && !choices.every((c) => typeof c === "number")) {
      ann.note("dropdown options must be numbers");
    } else if (ann.type === "integer" && !choices.every((c) => isIntegral(c))) {
      ann.note("dropdown options must be integers");
    }
    if (choices.length === 0 && !ann.allowInput) ann.note("dropdown has no options");
  }
  if (ann.type === "slider") {
    ann.min = numberOption(ann, obj, "min");
    ann.max = numberOption(ann, obj, "max");
    ann.step = numberOption(ann, obj, "step");
    if (ann.min === null || ann.max === null) ann.note("slider needs min and max");
    else if (!(ann.min < ann.max)) ann.note("slider min must be less than max");
    if (ann.step === null) ann.step = 1;
    else if (ann.step <= 0) ann.note("slider step must be positive");
  }
  return ann;
}

const VALUE_MESSAGES: Record<Exclude<FieldType, "raw">, string> = {
  string: "value must be a string literal",
  date: "value must be a date string 'YYYY-MM-DD'",
  boolean: "value must be True or False",
  number: "value must be a number",
  slider: "value must be a number",
  integer: "value must be an integer",
};

/** The value of raw for a field of type ftype, or [null, message]. */
export function checkValue(ftype: FieldType, raw: string): [Scalar, string | null] {
  if (raw === "") return [null, "missing value"];
  if (ftype === "raw") return [raw, null];
  const parsed = parseScalar(raw);
  if (parsed === null) return [null, VALUE_MESSAGES[ftype]];
  let ok: boolean;
  if (ftype === "string") ok = parsed.kind === "str";
  else if (ftype === "date") ok = parsed.kind === "str" && (parsed.value === "" || isValidDate(parsed.value));
  else if (ftype === "boolean") ok = parsed.kind === "bool";
  else if (ftype === "integer") ok = parsed.kind === "int";
  else ok = parsed.kind === "int" || parsed.kind === "float";
  if (!ok) return [null, VALUE_MESSAGES[ftype]];
  if ((parsed.kind === "int" || parsed.kind === "float") && !parsed.inRange) return [null, "number out of range"];
  return [parsed.value, null];
}

/** The field on line if its first comment is a #@param annotation. */
export function scanParam(line: string, lineNo: number): ParamLine | null {
  if (lstripWs(line).startsWith("#")) return null;
  const hashAt = findComment(line);
  if (hashAt < 0) return null;
  PARAM.lastIndex = hashAt;
  const marker = PARAM.exec(line);
  if (!marker) return null;
  const code = line.slice(0, hashAt);
  const ann = annotation(line.slice(hashAt + marker[0].length));
  const assign = ASSIGN.exec(code);
  let name: string;
  let start = -1;
  let end = -1;
  let eqEnd = -1;
  let error: string | null;
  if (assign) {
    const [whole, indent = "", target = "", equals = ""] = assign;
    name = target;
    start = whole.length;
    end = Math.max(start, rstripWs(code).length);
    eqEnd = indent.length + target.length + equals.length;
    error = ann.error;
  } else {
    const first = NAME_AT_START.exec(code);
    name = first?.[1] ?? "";
    error = NOT_ASSIGNMENT;
  }
  const raw = assign ? code.slice(start, end) : "";
  let value: Scalar = null;
  if (error === null) [value, error] = checkValue(ann.type, raw);
  const field: FormField = {
    kind: "param",
    line: lineNo,
    name,
    type: ann.type,
    value,
    raw_value: raw,
    options: ann.options,
    allow_input: ann.allowInput,
    min: ann.min,
    max: ann.max,
    step: ann.step,
    placeholder: ann.placeholder,
    error,
  };
  return { field, valueStart: start, valueEnd: end, eqEnd, annotationOk: assign !== null && ann.error === null };
}

function title(rest: string): [string, TitleOptions, string | null] {
  const trimmed = rstripWs(rest);
  let obj: OptionObject = new Map();
  const ann = new Annotation();
  const brace = trimmed.lastIndexOf("{");
  let text: string;
  if (trimmed.endsWith("}") && brace >= 0) {
    text = stripWs(trimmed.slice(0, brace));
    try {
      obj = parseObject(trimmed.slice(brace));
    } catch (exc) {
      if (!(exc instanceof SpecError)) throw exc;
      ann.note(exc.message);
    }
  } else {
    text = stripWs(trimmed);
  }
  let run = obj.get("run") ?? null;
  if (run !== null && typeof run !== "string") {
    ann.note('option "run" must be a string');
    run = null;
  }
  let mode = obj.get("display-mode") ?? null;
  if (mode !== null && !(typeof mode === "string" && DISPLAY_MODES.includes(mode))) {
    ann.note('display-mode must be "form", "both" or "code"');
    mode = null;
  }
  let vertical = obj.get("vertical-output") ?? null;
  if (vertical !== null && typeof vertical !== "boolean") {
    ann.note('option "vertical-output" must be true or false');
    vertical = null;
  }
  let width = obj.get("form-width") ?? null;
  if (width !== null && typeof width !== "string") {
    ann.note('option "form-width" must be a string');
    width = null;
  }
  const options: TitleOptions = {
    run: typeof run === "string" ? run : null,
    display_mode: typeof mode === "string" ? mode : null,
    vertical_output: typeof vertical === "boolean" ? vertical : null,
    form_width: typeof width === "string" ? width : null,
  };
  return [text, options, ann.error];
}

/** The form a code cell's annotations describe (no title and no items when it has none). */
export function parseCell(source: string): Form {
  const form: Form = {
    title: null,
    title_line: null,
    title_options: { run: null, display_mode: null, vertical_output: null, form_width: null },
    items: [],
    errors: [],
  };
  const items: FormItem[] = form.items;
  const errors: FormError[] = form.errors;
  splitLines(source).forEach((line, lineNo) => {
    const stripped = lstripWs(line);
    if (stripped.startsWith("#")) {
      const t = TITLE.exec(stripped);
      const m = t ? null : MARKDOWN.exec(stripped);
      if (t) {
        if (form.title !== null) {
          errors.push({ line: lineNo, message: "duplicate #@title" });
          return;
        }
        const [text, options, error] = title(stripped.slice(t[0].length));
        form.title = text;
        form.title_line = lineNo;
        form.title_options = options;
        if (error) errors.push({ line: lineNo, message: error });
      } else if (m) {
        const rest = stripped.slice(m[0].length);
        items.push({ kind: "markdown", line: lineNo, text: rest.startsWith(" ") || rest.startsWith("\t") ? rest.slice(1) : rest });
      }
      return;
    }
    const param = scanParam(line, lineNo);
    if (param !== null) {
      items.push(param.field);
      if (param.field.error) errors.push({ line: lineNo, message: param.field.error });
    }
  });
  return form;
}
