// @vitest-environment jsdom
// Colab's own MIME types in saved outputs render as what they stand for.
import { describe, expect, it } from "vitest";

import { colabOutput, DISPLAY_DATA, INTRINSIC, JS_MODULE } from "../src/colab/mime";
import { renderOutput } from "../src/views/outputs";

const shown = (data: Record<string, unknown>) =>
  renderOutput({ output_type: "execute_result", data, metadata: {} }).textContent;

describe("Colab MIME types", () => {
  it("a string hint leaves the text/plain sibling in charge", () => {
    expect(shown({ "text/plain": "'/content'", [INTRINSIC]: { type: "string" } })).toBe(
      "'/content'",
    );
    expect(colabOutput({ "text/plain": "1", [INTRINSIC]: { type: "number" } })).toBeNull();
  });

  it("a dataframe hint alone shows the frame's name, shape and columns", () => {
    const summary = JSON.stringify({
      name: "df",
      rows: 891,
      fields: [{ column: "Age", properties: { dtype: "number", samples: [22, 38] } }],
    });
    const text = shown({ [INTRINSIC]: { type: "dataframe", variable_name: "df", summary } });
    expect(text).toContain("DataFrame df: 891 rows × 1 columns");
    expect(text).toContain("Agenumber22, 38");
    expect(shown({ [INTRINSIC]: { type: "dataframe", variable_name: "t" } })).toBe("DataFrame t");
  });

  it("an unknown hint alone is described, not dumped", () => {
    const text = shown({ [INTRINSIC]: { type: "string" } });
    expect(text).toBe("A value (string) saved without its text.");
  });

  it("pip's restart warning, packages as a list or a string", () => {
    const warning = (packages: unknown) =>
      shown({ [DISPLAY_DATA]: { pip_warning: { packages } } });
    const expected =
      "WARNING: The following packages were previously imported in this runtime: " +
      "[numpy, pandas]. You must restart the runtime in order to use newly installed versions.";
    expect(warning(["numpy", "pandas"])).toBe(expected);
    expect(warning("numpy, pandas")).toBe(expected);
  });

  it("Colab's table script is never shown or run; a sibling wins", () => {
    const script = 'import "https://ssl.gstatic.com/x.js"; window.createDataTable({});';
    expect(shown({ [JS_MODULE]: script, "text/plain": "<DataTable>" })).toBe("<DataTable>");
    expect(shown({ [JS_MODULE]: script })).toBe(
      "An interactive table saved by Colab (its script is not run here).",
    );
  });
});
