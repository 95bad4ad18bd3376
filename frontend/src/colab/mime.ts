// Display data that Colab writes into saved notebooks with MIME types of its own.
//
// - application/vnd.google.colaboratory.intrinsic+json: a hint beside the real
//   representation ({type: "string"} next to text/plain, {type: "dataframe",
//   variable_name, summary} next to text/html). The sibling is what a user should see;
//   only when it is missing is the hint itself described.
// - application/vnd.colab-display-data+json: {pip_warning: {packages}} after a pip
//   install that upgraded packages the runtime had already imported.
// - application/vnd.google.colaboratory.module+javascript: Colab's interactive table, a
//   script importing its code from Google's servers; never run here (outputs load
//   nothing from outside). Its text/html sibling (pandas' table) is what shows.
import { h } from "../views/dom";
import "./colab.css";

export const INTRINSIC = "application/vnd.google.colaboratory.intrinsic+json";
export const DISPLAY_DATA = "application/vnd.colab-display-data+json";
export const JS_MODULE = "application/vnd.google.colaboratory.module+javascript";

interface SummaryField {
  column?: unknown;
  properties?: { dtype?: unknown; num_unique_values?: unknown; samples?: unknown };
}

function asObject(value: unknown): Record<string, unknown> | null {
  if (typeof value === "string") {
    try {
      return asObject(JSON.parse(value));
    } catch {
      return null;
    }
  }
  return value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function pipWarning(warning: Record<string, unknown>): HTMLElement {
  const raw = warning["packages"];
  const packages = Array.isArray(raw) ? raw.map(String) : String(raw ?? "").split(/,\s*/);
  return h(
    "div",
    { class: "colab-pip-warning", role: "note", "data-testid": "pip-warning" },
    h("strong", {}, "WARNING: "),
    "The following packages were previously imported in this runtime: ",
    h("code", {}, `[${packages.filter(Boolean).join(", ")}]`),
    ". You must restart the runtime in order to use newly installed versions.",
  );
}

/** A DataFrame saved with only Colab's summary of it: its name, shape and columns. */
function dataframe(hint: Record<string, unknown>): HTMLElement {
  const summary = asObject(hint["summary"]) ?? {};
  const name = String(hint["variable_name"] ?? summary["name"] ?? "DataFrame");
  const fields = (Array.isArray(summary["fields"]) ? summary["fields"] : []) as SummaryField[];
  const rows = typeof summary["rows"] === "number" ? summary["rows"] : null;
  const shape = rows === null ? "" : `: ${rows} rows × ${fields.length} columns`;
  const table = h(
    "table",
    { class: "colab-df-summary" },
    h("tr", {}, h("th", {}, "column"), h("th", {}, "dtype"), h("th", {}, "samples")),
    ...fields.map((f) => {
      const samples = f.properties?.samples;
      return h(
        "tr",
        {},
        h("td", {}, String(f.column ?? "")),
        h("td", {}, String(f.properties?.dtype ?? "")),
        h("td", {}, Array.isArray(samples) ? samples.map(String).join(", ") : ""),
      );
    }),
  );
  return h(
    "div",
    { class: "colab-intrinsic", "data-testid": "colab-dataframe" },
    h("div", {}, `DataFrame ${name}${shape}`),
    ...(fields.length ? [table] : []),
  );
}

/** The element for Colab-only display data, or null when a standard MIME type should win. */
export function colabOutput(data: Record<string, unknown>): HTMLElement | null {
  const display = asObject(data[DISPLAY_DATA]);
  const warning = display && asObject(display["pip_warning"]);
  if (warning) return pipWarning(warning);
  if (JS_MODULE in data && !("text/plain" in data)) {
    const text = "An interactive table saved by Colab (its script is not run here).";
    return h("div", { class: "colab-intrinsic" }, text);
  }
  if (!(INTRINSIC in data) || "text/plain" in data) return null;
  const hint = asObject(data[INTRINSIC]) ?? {};
  if (hint["type"] === "dataframe") return dataframe(hint);
  const kind = typeof hint["type"] === "string" ? ` (${hint["type"]})` : "";
  return h("div", { class: "colab-intrinsic" }, `A value${kind} saved without its text.`);
}
