import { describe, expect, it } from "vitest";

import { untitledName } from "../src/views/list";

describe("new notebook names", () => {
  it("takes the first free UntitledN.ipynb, as Colab does", () => {
    expect(untitledName([])).toBe("Untitled0.ipynb");
    expect(untitledName(["Untitled0.ipynb", "Untitled2.ipynb", "x.ipynb"])).toBe("Untitled1.ipynb");
  });
});
