// @vitest-environment jsdom
import { describe, expect, it } from "vitest";

import { Sidebar } from "../src/views/sidebar";

const panel = (id: string, onShow?: () => void) => ({
  id,
  title: id.toUpperCase(),
  icon: id[0]!,
  el: Object.assign(document.createElement("div"), { textContent: `${id} body` }),
  onShow,
});

describe("Sidebar", () => {
  it("orders icons as Colab does, whatever the order they were added in", () => {
    const s = new Sidebar();
    for (const id of ["files", "extra", "toc", "secrets"]) s.add(panel(id));
    const ids = [...s.el.querySelectorAll<HTMLElement>(".sidebar-icon")].map(
      (b) => b.dataset["panel"],
    );
    expect(ids).toEqual(["toc", "secrets", "files", "extra"]);
  });

  it("opens one panel at a time; its icon toggles it closed; onShow runs on each open", () => {
    const s = new Sidebar();
    let shown = 0;
    s.add(panel("toc", () => shown++));
    s.add(panel("files"));
    const icon = (id: string) => s.el.querySelector<HTMLButtonElement>(`[data-panel="${id}"]`)!;
    icon("toc").click();
    expect(s.current).toBe("toc");
    expect(s.el.querySelector(".sidebar-body")!.textContent).toBe("toc body");
    icon("files").click();
    expect(s.current).toBe("files");
    expect(icon("toc").getAttribute("aria-pressed")).toBe("false");
    icon("files").click();
    expect(s.current).toBeNull();
    expect(s.el.querySelector<HTMLElement>(".sidebar-panel")!.hidden).toBe(true);
    s.show("toc");
    s.show("toc");
    expect(shown).toBe(3);
  });
});
