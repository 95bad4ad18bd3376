// A menu-bar entry ("Edit", "Runtime", …): a button that opens a list of registry
// commands, each with its shortcut. Disabled commands show greyed.
import { displayKeys } from "../commands/keys";
import type { CommandRegistry } from "../commands/registry";
import { h } from "./dom";

const MAC = /Mac|iPhone|iPad/.test(navigator.platform);

export function menu(title: string, registry: CommandRegistry, ids: string[]): HTMLElement {
  const attrs = { type: "button", class: "menu-button", "aria-haspopup": "menu" };
  const button = h("button", attrs, title);
  const list = h("div", { class: "menu-list", role: "menu", hidden: true });
  const wrap = h("div", { class: "menu" }, button, list);
  const close = () => {
    list.hidden = true;
    document.removeEventListener("mousedown", outside, true);
  };
  const outside = (e: Event) => {
    if (!wrap.contains(e.target as Node)) close();
  };
  // Keep the focus (current cell, mode) where it is while using the menu.
  button.addEventListener("mousedown", (e) => e.preventDefault());
  button.addEventListener("click", () => {
    if (!list.hidden) return close();
    list.replaceChildren(
      ...ids.flatMap((id) => {
        const c = registry.get(id);
        if (!c) return [];
        const item = h("button", { type: "button", role: "menuitem" }, h("span", {}, c.label));
        const keys = c.keys?.[0];
        if (keys) item.append(h("kbd", {}, displayKeys(keys, MAC)));
        item.disabled = !!c.enabled && !c.enabled();
        item.addEventListener("mousedown", (e) => e.preventDefault());
        item.addEventListener("click", () => {
          close();
          registry.run(id);
        });
        return [item];
      }),
    );
    list.hidden = false;
    document.addEventListener("mousedown", outside, true);
  });
  return wrap;
}
