// @vitest-environment jsdom
import { describe, expect, it } from "vitest";

import { askGrant } from "../src/colab/secret-prompt";

const dialogs = () => document.querySelectorAll<HTMLElement>('[data-testid="secret-prompt"]');
const click = (testid: string) =>
  document.querySelector<HTMLButtonElement>(`[data-testid="${testid}"]`)!.click();
const settle = () => new Promise((r) => setTimeout(r, 0));

describe("the Grant access prompt", () => {
  it("asks one key at a time, in order, and answers each", async () => {
    const first = askGrant("API_KEY");
    const second = askGrant("OTHER");
    await settle();
    expect(dialogs()).toHaveLength(1);
    expect(dialogs()[0]!.textContent).toContain("Grant access to API_KEY?");
    click("secret-grant");
    expect(await first).toBe(true);
    await settle();
    expect(dialogs()).toHaveLength(1);
    expect(dialogs()[0]!.textContent).toContain("Grant access to OTHER?");
    click("secret-deny");
    expect(await second).toBe(false);
    expect(dialogs()).toHaveLength(0);
  });

  it("Escape denies", async () => {
    const answer = askGrant("K");
    await settle();
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape" }));
    expect(await answer).toBe(false);
    expect(dialogs()).toHaveLength(0);
  });
});
