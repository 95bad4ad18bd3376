// The keyboard shortcuts dialog (Ctrl+M H): every command that has a binding, by group.
import { displayKeys } from "../commands/keys";
import type { CommandRegistry } from "../commands/registry";
import { h } from "./dom";
import { Modal } from "./modal";

const MAC = /Mac|iPhone|iPad/.test(navigator.platform);

export function openShortcuts(registry: CommandRegistry): Modal {
  const modal = new Modal("Keyboard shortcuts", "shortcuts");
  const close = h("button", { type: "button", "aria-label": "Close" }, "✕");
  close.addEventListener("click", () => modal.close());
  const groups = new Map<string, HTMLElement>();
  const body = h("div", { class: "shortcuts-body" });
  for (const c of registry.all()) {
    const keys = [...(c.keys ?? []), ...(c.commandKeys ?? []).map((k) => `${k} (command mode)`)];
    if (!keys.length) continue;
    const group = c.group ?? "Other";
    let table = groups.get(group);
    if (!table) {
      table = h("table", {});
      groups.set(group, table);
      body.append(h("h3", {}, group), table);
    }
    table.append(
      h(
        "tr",
        { "data-testid": "shortcut", "data-command": c.id },
        h("td", { class: "shortcut-label" }, c.label),
        h("td", {}, ...keys.map((k) => h("kbd", {}, displayKeys(k, MAC)))),
      ),
    );
  }
  modal.box.append(h("header", {}, h("h2", {}, "Keyboard shortcuts"), close), body);
  modal.box.tabIndex = -1;
  modal.box.focus();
  return modal;
}
