// @vitest-environment jsdom
// input() / getpass() answered from a box under the cell's outputs.
import { describe, expect, it } from "vitest";

import { askLine, cancelAsk } from "../src/colab/stdin-box";

function anchor(): HTMLElement {
  const el = document.createElement("div");
  document.body.replaceChildren(el);
  return el;
}

const field = () => document.querySelector<HTMLInputElement>("[data-testid=stdin-input]")!;
const enter = (value: string) => {
  field().value = value;
  field().dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
};

describe("askLine", () => {
  it("shows the prompt, resolves with the line, then goes away", async () => {
    const outputs = anchor();
    const answer = askLine(outputs, "Your name? ", false);
    await Promise.resolve();
    expect(outputs.nextElementSibling?.textContent).toBe("Your name? ");
    expect(field().type).toBe("text");
    enter("Ada");
    await expect(answer).resolves.toBe("Ada");
    expect(document.querySelector("[data-testid=stdin-box]")).toBeNull();
  });

  it("masks a password", async () => {
    const outputs = anchor();
    const answer = askLine(outputs, "Password: ", true);
    await Promise.resolve();
    expect(field().type).toBe("password");
    enter("s3cret");
    await expect(answer).resolves.toBe("s3cret");
  });

  it("a question nobody waits for any more is removed", async () => {
    const outputs = anchor();
    const answer = askLine(outputs, "? ", false);
    await Promise.resolve();
    cancelAsk(outputs);
    await expect(answer).resolves.toBe("");
    expect(document.querySelector("[data-testid=stdin-box]")).toBeNull();
  });
});
