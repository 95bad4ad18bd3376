// Colab forms beside (or instead of) a code cell: #@title, #@markdown and #@param lines
// become a title, text and fields; editing a field rewrites only that line's value.
// A field keeps its element (and keyboard focus) while it rewrites the source: the form
// is rebuilt only when the source changed from elsewhere (the editor, undo, a merge).
import {
  type FormField,
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

export class CellForm {
  readonly el = h("div", { class: "cell-form", "data-testid": "cell-form" });
  private source = "";
  /** What the shown fields were built from; a repaint of the same is skipped. */
  private drawn: string | null = null;
  /** A field rewrote its line as the user typed; its commit (change) may run the cell. */
  private uncommitted = false;

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
    this.source = source;
    this.uncommitted = false;
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
        children.push(this.field(item, auto));
      }
    }
    for (const err of form.errors) {
      if (!form.items.some((i) => i.line === err.line && i.kind === "param" && i.error)) {
        children.push(h("p", { class: "form-error" }, `Line ${err.line + 1}: ${err.message}`));
      }
    }
    this.el.replaceChildren(...children);
    return true;
  }

  /** Rewrites the field's line. `commit` is a finished change (change event, not each
   * keystroke): only a commit may re-run a run: "auto" cell. */
  private apply(
    field: FormField,
    value: unknown,
    note: HTMLElement,
    auto: boolean,
    commit: boolean,
  ): void {
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
    const set = (value: unknown, commit = true) => this.apply(field, value, note, auto, commit);
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
      select.addEventListener("change", () => set(field.options![Number(select.value)]));
      control = select;
    } else if (field.options) {
      const listId = `opts-${Math.random().toString(36).slice(2)}`;
      const input = h("input", { name: field.name, list: listId });
      input.value = field.type === "string" ? String(field.value ?? "") : field.raw_value;
      const list = h("datalist", { id: listId });
      for (const opt of field.options) list.append(h("option", { value: label(opt) }));
      live(input);
      control = h("span", {}, input, list);
    } else if (field.type === "boolean") {
      const box = h("input", { type: "checkbox", name: field.name });
      box.checked = field.value === true;
      box.addEventListener("change", () => set(box.checked));
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
      control = h("span", {}, range, shown);
    } else {
      const input = h("input", { name: field.name });
      if (field.type === "number" || field.type === "integer") {
        input.type = "number";
        input.step = field.type === "integer" ? "1" : "any";
        input.value = field.raw_value;
      } else if (field.type === "date") {
        input.type = "date";
        input.value = String(field.value ?? "");
      } else if (field.type === "raw") {
        input.value = field.raw_value;
      } else {
        input.value = String(field.value ?? "");
        if (field.placeholder) input.placeholder = field.placeholder;
      }
      if (field.type === "date") input.addEventListener("change", () => set(input.value));
      else live(input);
      control = input;
    }
    row.append(control, note);
    return row;
  }
}
