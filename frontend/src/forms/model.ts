// What a parsed form is; the same JSON shape as cloudbook/forms/model.py's to_json().
// Line numbers are 0-based indexes into source.split("\n").

import type { Scalar } from "./literals";

export type FieldType = "string" | "number" | "integer" | "boolean" | "date" | "slider" | "raw";
export const FIELD_TYPES: readonly FieldType[] = ["string", "number", "integer", "boolean", "date", "slider", "raw"];

export interface TitleOptions {
  run: string | null;
  display_mode: string | null;
  vertical_output: boolean | null;
  form_width: string | null;
}

export interface MarkdownItem {
  kind: "markdown";
  line: number;
  text: string;
}

/** One `name = value  #@param ...` line. value is null when error is set; raw fields hold text. */
export interface FormField {
  kind: "param";
  line: number;
  name: string;
  type: FieldType;
  value: Scalar;
  raw_value: string;
  options: Scalar[] | null;
  allow_input: boolean;
  min: number | null;
  max: number | null;
  step: number | null;
  placeholder: string | null;
  error: string | null;
}

export type FormItem = MarkdownItem | FormField;

export interface FormError {
  line: number;
  message: string;
}

export interface Form {
  title: string | null;
  title_line: number | null;
  title_options: TitleOptions;
  items: FormItem[];
  errors: FormError[];
}

/** A new value does not fit the field (or the line holds no usable field). */
export class FormValueError extends Error {
  override name = "FormValueError";
}

export function formFields(form: Form): FormField[] {
  return form.items.filter((item): item is FormField => item.kind === "param");
}

/** Whether the cell has any annotation at all (a title, markdown or a field). */
export function isForm(form: Form): boolean {
  return form.title !== null || form.items.length > 0;
}
