// A row's "More actions" menu: a popup list of buttons, keyboard-usable (arrows, Esc).
import { h } from "../dom";

export interface RowAction {
  label: string;
  testid: string;
  run: () => void | Promise<void>;
}

let openMenu: { close: () => void } | null = null;

export function closeRowMenu(): void {
  openMenu?.close();
}

export function rowMenuButton(label: string, actions: () => RowAction[]): HTMLButtonElement {
  const button = h(
    "button",
    {
      type: "button",
      class: "icon-button row-more",
      "aria-label": `More actions for ${label}`,
      "aria-haspopup": "menu",
      "data-testid": "row-more",
    },
    "⋮",
  );
  button.addEventListener("click", (e) => {
    e.stopPropagation();
    const wasOpenHere = openMenu !== null && button.getAttribute("aria-expanded") === "true";
    closeRowMenu();
    if (!wasOpenHere) open(button, actions());
  });
  return button;
}

function open(button: HTMLButtonElement, actions: RowAction[]): void {
  const list = h("div", { class: "row-menu", role: "menu" });
  const items = actions.map((a) => {
    const item = h("button", { type: "button", role: "menuitem", "data-testid": a.testid }, a.label);
    item.addEventListener("click", () => {
      close();
      void a.run();
    });
    return item;
  });
  list.append(...items);
  const close = () => {
    list.remove();
    button.setAttribute("aria-expanded", "false");
    document.removeEventListener("mousedown", outside, true);
    openMenu = null;
  };
  const outside = (e: Event) => {
    if (!list.contains(e.target as Node) && e.target !== button) close();
  };
  list.addEventListener("keydown", (e) => {
    const i = items.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === "Escape") {
      e.preventDefault();
      close();
      button.focus();
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      items[(i + step + items.length) % items.length]?.focus();
    } else if (e.key === "Tab") {
      close();
    }
  });
  const rect = button.getBoundingClientRect();
  list.style.position = "fixed";
  list.style.top = `${Math.min(rect.bottom + 2, window.innerHeight - 40 * actions.length - 8)}px`;
  list.style.right = `${Math.max(8, window.innerWidth - rect.right)}px`;
  document.body.append(list);
  button.setAttribute("aria-expanded", "true");
  document.addEventListener("mousedown", outside, true);
  openMenu = { close };
  items[0]?.focus();
}
