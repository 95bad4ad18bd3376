// Writing a form field's new value back into the cell source: only the value's characters
// on that one line change, every other byte stays. Mirrors cloudbook/forms/rewrite.py.

import {
  MAX_SAFE_INT,
  formatLiteral,
  formatNumber,
  formatString,
  isIntegral,
  isValidDate,
  parseScalar,
  quoteOf,
  stripWs,
  type PyValue,
  type Scalar,
} from "./literals";
import { FormValueError, type FormField } from "./model";
import { scanParam } from "./parse";

const TRUE_WORDS = ["true", "1", "yes", "on"];
const FALSE_WORDS = ["false", "0", "no", "off"];

/** The number a numeric field gets, and its source text. */
function numberFor(field: FormField, value: unknown): [number, string] {
  const name = field.name;
  const integer = field.type === "integer";
  const expected = integer ? `${name}: expected an integer` : `${name}: expected a number`;
  let number: number;
  let literal = "";
  let inRange: boolean;
  if (typeof value === "string") {
    // Text (as typed into the form) is kept as written, once it proves a number.
    const text = stripWs(value);
    const parsed = parseScalar(text);
    if (parsed === null || !(integer ? parsed.kind === "int" : parsed.kind === "int" || parsed.kind === "float")) {
      throw new FormValueError(expected);
    }
    number = parsed.value as number;
    inRange = (parsed as { inRange: boolean }).inRange;
    literal = text;
  } else if (typeof value === "number" && (isIntegral(value) || !integer)) {
    number = value;
    inRange = Number.isFinite(value) && !(integer && Math.abs(value) > MAX_SAFE_INT);
  } else {
    throw new FormValueError(expected);
  }
  if (!inRange) throw new FormValueError(`${name}: number out of range`);
  if (field.type === "slider" && field.min !== null && field.max !== null) {
    if (!(field.min <= number && number <= field.max)) {
      throw new FormValueError(`${name}: must be between ${formatNumber(field.min)} and ${formatNumber(field.max)}`);
    }
  }
  if (field.options !== null && !field.allow_input) {
    if (!field.options.some((o) => typeof o === "number" && o === number)) {
      throw new FormValueError(`${name}: not one of the dropdown options`);
    }
  }
  return [number, literal || formatNumber(number)];
}

function rawFor(field: FormField, value: unknown): string {
  const name = field.name;
  let code: string;
  if (typeof value === "string") code = stripWs(value);
  else {
    try {
      code = formatLiteral(value as PyValue);
    } catch {
      throw new FormValueError(`${name}: expected Python source text`);
    }
  }
  if (code.includes("\n") || code.includes("\r")) throw new FormValueError(`${name}: raw value must be one line`);
  if (code === "") throw new FormValueError(`${name}: raw value must not be empty`);
  if (field.options !== null && !field.allow_input) {
    const codes = field.options.map((o) => (typeof o === "string" ? o : formatLiteral(o)));
    if (!codes.includes(code)) throw new FormValueError(`${name}: not one of the dropdown options`);
  }
  return code;
}

/** The source text value becomes in field; throws FormValueError when it does not fit. */
export function formatValue(field: FormField, value: unknown): string {
  const name = field.name;
  const quote = quoteOf(field.raw_value);
  switch (field.type) {
    case "raw":
      return rawFor(field, value);
    case "number":
    case "integer":
    case "slider":
      return numberFor(field, value)[1];
    case "boolean":
      if (typeof value !== "boolean") throw new FormValueError(`${name}: expected True or False`);
      return value ? "True" : "False";
    case "date":
      if (typeof value !== "string" || !(value === "" || isValidDate(value))) {
        throw new FormValueError(`${name}: expected a date 'YYYY-MM-DD'`);
      }
      return formatString(value, quote);
    default:
      if (typeof value !== "string") throw new FormValueError(`${name}: expected a string`);
      if (field.options !== null && !field.allow_input && !field.options.includes(value)) {
        throw new FormValueError(`${name}: not one of the dropdown options`);
      }
      return formatString(value, quote);
  }
}

/**
 * source with the value of the field on line (0-based) set to newValue. Strings become
 * Python literals (in the quote the line already used where possible), numbers literals
 * (text given for a numeric field is kept as typed), booleans True/False, raw text
 * verbatim. Throws FormValueError, changing nothing, when the value does not fit.
 */
export function rewriteValue(source: string, line: number, newValue: unknown): string {
  const lines = source.split("\n");
  if (!(Number.isInteger(line) && line >= 0 && line < lines.length)) {
    throw new FormValueError(`line ${line} does not exist`);
  }
  const text = lines[line] ?? "";
  const ending = text.endsWith("\r") ? "\r" : "";
  const content = text.slice(0, text.length - ending.length);
  const param = scanParam(content, line);
  if (param === null) throw new FormValueError(`line ${line} has no #@param field`);
  if (!param.annotationOk) throw new FormValueError(`line ${line}: ${param.field.error}`);
  const literal = formatValue(param.field, newValue);
  const { valueStart: start, valueEnd: end } = param;
  // No value yet ("x = #@param"): put one blank either side of it.
  const updated =
    start === end
      ? content.slice(0, param.eqEnd) + " " + literal + " " + content.slice(end)
      : content.slice(0, start) + literal + content.slice(end);
  const check = scanParam(updated, line);
  if (check === null || check.field.error !== null || check.field.raw_value !== literal) {
    throw new FormValueError(`${param.field.name}: value would break the #@param line`);
  }
  lines[line] = updated + ending;
  return lines.join("\n");
}

/**
 * The value a command-line `-p name=text` gives field (as cloudbook run does it): strings,
 * dates and raw code as written, numbers as Python number literals, booleans as
 * true/false, 1/0, yes/no, on/off. Throws FormValueError when it does not fit.
 */
export function coerceCliValue(field: FormField, text: string): Scalar {
  let value: Scalar;
  if (field.type === "boolean") {
    const word = stripWs(text).toLowerCase();
    if (!TRUE_WORDS.includes(word) && !FALSE_WORDS.includes(word)) {
      throw new FormValueError(`${field.name}: expected true or false`);
    }
    value = TRUE_WORDS.includes(word);
  } else if (field.type === "number" || field.type === "integer" || field.type === "slider") {
    value = numberFor(field, text)[0];
  } else {
    value = text;
  }
  formatValue(field, value);
  return value;
}
