// The command palette (Ctrl+Shift+P): a fuzzy filter over every enabled command, with
// its shortcut; Up/Down choose, Enter runs, Esc closes.
import { displayKeys } from "../commands/keys";
import { type Command, type CommandRegistry, filterCommands } from "../commands/registry";
import { h } from "./dom";
import { Modal } from "./modal";

const MAC = /Mac|iPhone|iPad/.test(navigator.platform);

export function openPalette(registry: CommandRegistry): Modal {
  const input = h("input", {
    type: "text",
    class: "palette-input",
    placeholder: "Search commands",
    "aria-label": "Search commands",
    "data-testid": "palette-input",
  });
  const list = h("ul", { class: "palette-list", role: "listbox", "data-testid": "palette-list" });
  const modal = new Modal("Command palette", "palette");
  modal.box.append(input, list);
  let shown: Command[] = [];
  let active = 0;

  const runAt = (i: number) => {
    const c = shown[i];
    if (!c) return;
    // Close first: the command acts on the cell and mode the user was in.
    modal.close();
    registry.run(c.id);
  };
  const paint = () => {
    const enabled = registry.all().filter((c) => !c.enabled || c.enabled());
    shown = filterCommands(enabled, input.value);
    active = Math.min(active, Math.max(0, shown.length - 1));
    list.replaceChildren(
      ...shown.map((c, i) => {
        const keys = [...(c.keys ?? []), ...(c.commandKeys ?? [])][0];
        const li = h(
          "li",
          { role: "option", "aria-selected": String(i === active), "data-command": c.id },
          h("span", { class: "palette-label" }, c.label),
          ...(keys ? [h("kbd", {}, displayKeys(keys, MAC))] : []),
        );
        li.addEventListener("mousedown", (e) => e.preventDefault());
        li.addEventListener("click", () => runAt(i));
        return li;
      }),
    );
    if (!shown.length) list.append(h("li", { class: "palette-empty" }, "No matching commands"));
    list.children[active]?.scrollIntoView({ block: "nearest" });
  };
  input.addEventListener("input", () => {
    active = 0;
    paint();
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const n = shown.length || 1;
      active = (active + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
      paint();
    } else if (e.key === "Enter") {
      e.preventDefault();
      runAt(active);
    }
  });
  paint();
  input.focus();
  return modal;
}
