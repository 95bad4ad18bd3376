// Colab forms beside (or instead of) a code cell: #@title, #@markdown and #@param lines
// become a title, text and fields; editing a field rewrites only that line's value.
// A field keeps its element (and keyboard focus) while it rewrites the source: the form
// is rebuilt only when the source changed from elsewhere (the editor, undo, a merge, the
// live document), and even then the field that has the keyboard stays in place (its value
// follows the source), so focus and caret survive another page's or the service's edit.
import {
  type FormField,
  formFields,
  FormValueError,
  formatLiteral,
  isForm,
  parseCell,
  rewriteValue,
  type Scalar,
} from "../forms";
import "./form.css";

import { renderMarkdown } from "../markdown";
import { h } from "./dom";

export interface FormHost {
  /** Replace the cell's source as one undoable edit. */
  replaceSource(next: string): void;
  /** Called after a field changed the source; `auto` when the title asks for run: "auto". */
  fieldChanged(auto: boolean): void;
  /** Hide or show the code (metadata.cellView = "form"). */
  setCodeHidden(hidden: boolean): void;
}

function label(value: Scalar): string {
  return typeof value === "string" ? value : formatLiteral(value as never);
}

/** A drawn field row: the field it shows now (a kept row gets the rebuilt one, whose line
 * may have moved), and how to show a new value without replacing the control. */
interface Row {
  field: FormField;
  auto: boolean;
  shape: string;
  show(field: FormField): void;
}

/** What must be equal for a row to be kept: everything but the value and the line. */
function shape(field: FormField, auto: boolean): string {
  const { name, type, options, allow_input, min, max, step, placeholder, error } = field;
  return JSON.stringify([name, type, options, allow_input, min, max, step, placeholder, error, auto]);
}

/** Sets a text-like input's value, keeping the caret where it was (clamped). */
function setText(input: HTMLInputElement, value: string): void {
  if (input.value === value) return;
  let start: number | null = null;
  let end: number | null = null;
  try {
    ({ selectionStart: start, selectionEnd: end } = input);
  } catch {
    // number and date inputs have no selection
  }
  input.value = value;
  if (start === null || end === null || document.activeElement !== input) return;
  try {
    input.setSelectionRange(Math.min(start, value.length), Math.min(end, value.length));
  } catch {
    // as above
  }
}

export class CellForm {
  readonly el = h("div", { class: "cell-form", "data-testid": "cell-form" });
  private source = "";
  /** What the shown fields were built from; a repaint of the same is skipped. */
  private drawn: string | null = null;
  /** A field rewrote its line as the user typed; its commit (change) may run the cell. */
  private uncommitted = false;
  private rows = new WeakMap<HTMLElement, Row>();

  constructor(private host: FormHost) {
    this.el.hidden = true; // until render() finds annotations
    this.el.addEventListener("dblclick", (e) => {
      if ((e.target as HTMLElement).closest("input, select, button")) return;
      this.host.setCodeHidden(false);
    });
  }

  /** Re-draw from the source; returns whether the cell is a form at all. */
  render(source: string, codeHidden: boolean): boolean {
    const key = `${codeHidden ? 1 : 0}${source}`;
    // Our own rewrite coming back through the editor: the fields already show it, and
    // rebuilding them would take the focus from the one being changed.
    if (key === this.drawn) return !this.el.hidden;
    this.drawn = key;
    // The field with the keyboard stays (below); the values the fields showed till now.
    let focused = this.focusedRow();
    const before = focused ? formFields(parseCell(this.source)) : [];
    if (!focused) this.uncommitted = false; // a kept field's typing is still to commit
    this.source = source;
    const form = parseCell(source);
    if (!isForm(form)) {
      this.el.replaceChildren();
      this.el.hidden = true;
      return false;
    }
    this.el.hidden = false;
    // form-width: "50%" (or any CSS length) as in Colab; otherwise half the cell.
    const width = form.title_options.form_width;
    this.el.style.flex = width && /^\d+(\.\d+)?(%|px|em|rem)$/.test(width) ? `0 0 ${width}` : "";
    const children: HTMLElement[] = [];
    const toggle = h(
      "button",
      { class: "form-toggle", "data-testid": "toggle-code", type: "button" },
      codeHidden ? "Show code" : "Hide code",
    );
    toggle.addEventListener("click", () => this.host.setCodeHidden(!codeHidden));
    children.push(
      h("div", { class: "form-head" }, h("h3", { class: "form-title" }, form.title ?? ""), toggle),
    );
    const auto = form.title_options.run === "auto";
    for (const item of form.items) {
      if (item.kind === "markdown") {
        const text = item.text.trim();
        if (text === "---") {
          children.push(h("hr"));
        } else {
          const md = h("div", { class: "form-markdown" });
          md.innerHTML = renderMarkdown(item.text, true);
          children.push(md);
        }
      } else {
        if (focused && this.keep(focused, item, auto, before)) {
          children.push(focused);
          focused = null; // one row per field
        } else children.push(this.field(item, auto));
      }
    }
    for (const err of form.errors) {
      if (!form.items.some((i) => i.line === err.line && i.kind === "param" && i.error)) {
        children.push(h("p", { class: "form-error" }, `Line ${err.line + 1}: ${err.message}`));
      }
    }
    this.place(children);
    return true;
  }

  /** The field row holding the keyboard, if any. */
  private focusedRow(): HTMLElement | null {
    const active = document.activeElement;
    if (!active || !this.el.contains(active)) return null;
    const row = active.closest<HTMLElement>(".form-field");
    return row && row.parentElement === this.el && this.rows.has(row) ? row : null;
  }

  /** Takes `row` (focused) into the rebuilt form when it shows the same kind of field:
   * it then rewrites `field`'s line (which may have moved), and shows its value only when
   * the edit changed it (what is being typed stays as typed, caret and all). */
  private keep(row: HTMLElement, field: FormField, auto: boolean, before: FormField[]): boolean {
    const drawn = this.rows.get(row);
    if (!drawn || drawn.field.name !== field.name || drawn.shape !== shape(field, auto)) {
      return false;
    }
    const was = before.find((f) => f.name === field.name);
    drawn.field = field;
    if (was?.raw_value !== field.raw_value) drawn.show(field);
    return true;
  }

  /** Puts the rebuilt rows in; a kept (focused) row is never taken out of the document,
   * which would blur it. */
  private place(children: HTMLElement[]): void {
    const kept = children.find((c) => c.parentElement === this.el);
    if (!kept) return this.el.replaceChildren(...children);
    for (const child of [...this.el.children]) if (child !== kept) child.remove();
    const at = children.indexOf(kept);
    kept.before(...children.slice(0, at));
    kept.after(...children.slice(at + 1));
  }

  /** Rewrites the field's line. `commit` is a finished change (change event, not each
   * keystroke): only a commit may re-run a run: "auto" cell. */
  private apply(row: Row, value: unknown, note: HTMLElement, commit: boolean): void {
    const { field, auto } = row;
    try {
      const next = rewriteValue(this.source, field.line, value);
      note.textContent = "";
      const changed = next !== this.source;
      if (changed) {
        this.source = next;
        this.drawn = `${this.drawn?.[0] ?? "0"}${next}`;
        this.host.replaceSource(next);
      }
      if (!commit) {
        this.uncommitted ||= changed;
      } else if (changed || this.uncommitted) {
        this.uncommitted = false;
        this.host.fieldChanged(auto);
      }
    } catch (e) {
      if (!(e instanceof FormValueError)) throw e;
      note.textContent = e.message;
    }
  }

  private field(field: FormField, auto: boolean): HTMLElement {
    const note = h("span", { class: "form-error", role: "status" });
    const row = h("label", { class: "form-field", "data-field": field.name });
    row.append(h("span", { class: "form-name" }, `${field.name}:`));
    if (field.error) {
      note.textContent = field.error;
      row.append(h("code", {}, field.raw_value), note);
      return row;
    }
    const drawn: Row = { field, auto, shape: shape(field, auto), show: () => {} };
    this.rows.set(row, drawn);
    const set = (value: unknown, commit = true) => this.apply(drawn, value, note, commit);
    // Text-like fields rewrite their line on every keystroke, as in Colab; the change
    // event (Enter, blur) is the commit.
    const live = (input: HTMLInputElement) => {
      input.addEventListener("input", () => {
        if (input.value === "" && input.type === "number") return; // not a number yet
        set(input.value, false);
      });
      input.addEventListener("change", () => set(input.value));
    };
    let control: HTMLElement;
    if (field.options && !field.allow_input) {
      const select = h("select", { name: field.name });
      field.options.forEach((opt, i) => {
        const option = h("option", { value: String(i) }, label(opt));
        if (opt === field.value || label(opt) === field.raw_value) option.selected = true;
        select.append(option);
      });
      select.addEventListener("change", () => set(drawn.field.options![Number(select.value)]));
      drawn.show = (f) => {
        const at = f.options!.findIndex((opt) => opt === f.value || label(opt) === f.raw_value);
        select.selectedIndex = at;
      };
      control = select;
    } else if (field.options) {
      const listId = `opts-${Math.random().toString(36).slice(2)}`;
      const input = h("input", { name: field.name, list: listId });
      input.value = field.type === "string" ? String(field.value ?? "") : field.raw_value;
      const list = h("datalist", { id: listId });
      for (const opt of field.options) list.append(h("option", { value: label(opt) }));
      live(input);
      drawn.show = (f) => setText(input, f.type === "string" ? String(f.value ?? "") : f.raw_value);
      control = h("span", {}, input, list);
    } else if (field.type === "boolean") {
      const box = h("input", { type: "checkbox", name: field.name });
      box.checked = field.value === true;
      box.addEventListener("change", () => set(box.checked));
      drawn.show = (f) => (box.checked = f.value === true);
      control = box;
    } else if (field.type === "slider") {
      const range = h("input", { type: "range", name: field.name });
      range.min = String(field.min ?? 0);
      range.max = String(field.max ?? 100);
      range.step = String(field.step ?? 1);
      range.value = String(field.value);
      const shown = h("span", { class: "form-slider-value" }, String(field.value));
      range.addEventListener("input", () => (shown.textContent = range.value));
      range.addEventListener("change", () => set(Number(range.value)));
      drawn.show = (f) => {
        range.value = String(f.value);
        shown.textContent = String(f.value);
      };
      control = h("span", {}, range, shown);
    } else {
      const input = h("input", { name: field.name });
      const raw = ["number", "integer", "raw"].includes(field.type);
      const text = (f: FormField) => (raw ? f.raw_value : String(f.value ?? ""));
      if (field.type === "number" || field.type === "integer") {
        input.type = "number";
        input.step = field.type === "integer" ? "1" : "any";
      } else if (field.type === "date") {
        input.type = "date";
      } else if (field.type !== "raw" && field.placeholder) {
        input.placeholder = field.placeholder;
      }
      input.value = text(field);
      if (field.type === "date") input.addEventListener("change", () => set(input.value));
      else live(input);
      drawn.show = (f) => setText(input, text(f));
      control = input;
    }
    row.append(control, note);
    return row;
  }
}
