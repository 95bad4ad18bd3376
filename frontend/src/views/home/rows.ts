// Rows of the drive table: a folder, a notebook, an item in the Trash, each with its
// actions (a "⋮" menu; F2 renames and Delete trashes the focused row).
import { openShareDialog } from "../../sharing/share-dialog";
import type { FolderOut, NotebookOut, TrashItemOut } from "../../api-types";
import { h } from "../dom";
import { ICONS } from "../icons";
import { confirmDialog, moveDialog, promptDialog } from "./dialogs";
import { driveApi } from "./drive-api";
import { baseName, formatWhen, joinPath, locationUrl, notebookFileName, parentOf } from "./model";
import { type RowAction, rowMenuButton } from "./row-menu";

export interface RowHost {
  reload(): Promise<void>;
  say(message: string): void;
  fail(error: unknown): void;
  openFolder(folder: string): void;
  folders(): Promise<string[]>;
}

const iconCache = new Map<string, HTMLElement>();

/** An icon (parsed once, cloned for every row). */
function icon(name: keyof typeof ICONS): HTMLElement {
  let master = iconCache.get(name);
  if (!master) {
    master = h("span", { class: "icon", "aria-hidden": "true" });
    master.innerHTML = ICONS[name];
    iconCache.set(name, master);
  }
  return master.cloneNode(true) as HTMLElement;
}

async function act(host: RowHost, done: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
    host.say(done);
    await host.reload();
  } catch (e) {
    host.fail(e);
  }
}

function row(
  kind: string,
  name: string,
  link: HTMLElement,
  when: string,
  actions: () => RowAction[],
  keys: { rename?: () => void; remove?: () => void },
): HTMLTableRowElement {
  const tr = h(
    "tr",
    { "data-testid": `row-${kind}`, "data-name": name },
    h("td", { class: "name-cell" }, link),
    h("td", { class: "when muted" }, when),
    h("td", { class: "actions" }, rowMenuButton(baseName(name), actions)),
  );
  tr.addEventListener("keydown", (e) => {
    if ((e.target as HTMLElement).closest(".actions")) return;
    if (e.key === "F2" && keys.rename) {
      e.preventDefault();
      keys.rename();
    } else if (e.key === "Delete" && keys.remove) {
      e.preventDefault();
      keys.remove();
    }
  });
  return tr;
}

function where(path: string): HTMLElement | string {
  const folder = parentOf(path);
  return folder ? h("span", { class: "muted where" }, ` in ${folder}`) : "";
}

export function notebookRow(nb: NotebookOut, host: RowHost, showFolder: boolean): HTMLTableRowElement {
  const href = `/notebooks/${encodeURIComponent(nb.id)}`;
  const leaf = baseName(nb.name);
  const link = h("a", { href, class: "row-link", "data-testid": "notebook-link" }, icon("file"), leaf);
  const cell = h("span", { class: "row-name" }, link, showFolder ? where(nb.name) : "");
  const rename = () =>
    void promptDialog("Rename notebook", leaf, async (typed) => {
      const name = notebookFileName(typed);
      if (!name) throw new Error("Give a name without slashes.");
      const out = await driveApi.rename(nb.id, joinPath(parentOf(nb.name), name));
      host.say(`Renamed to ${baseName(out.name)}.`);
      await host.reload();
      return out;
    }, "Rename");
  const remove = () => void act(host, `${leaf} moved to the Trash.`, () => driveApi.trashNotebook(nb.id));
  const move = async () => {
    const folders = await host.folders().catch((e: unknown) => (host.fail(e), null));
    if (!folders) return;
    await moveDialog(`Move “${leaf}”`, folders, parentOf(nb.name), async (folder) => {
      await driveApi.rename(nb.id, joinPath(folder, leaf));
      host.say(`${leaf} moved to ${folder || "My Drive"}.`);
      await host.reload();
    });
  };
  const actions = (): RowAction[] => [
    { label: "Open in new tab", testid: "action-open-tab", run: () => void window.open(href, "_blank") },
    {
      label: "Share",
      testid: "action-share",
      run: () => void openShareDialog({ kind: "notebook", id: nb.id, name: nb.name }, () => void host.reload()),
    },
    { label: "Rename", testid: "action-rename", run: rename },
    { label: "Move", testid: "action-move", run: move },
    {
      label: "Make a copy",
      testid: "action-duplicate",
      run: () => act(host, `Copy of ${leaf} made.`, () => driveApi.duplicate(nb.id)),
    },
    {
      label: "Download",
      testid: "action-download",
      run: () => {
        const a = h("a", { href: driveApi.fileUrl(nb.id), download: leaf, hidden: true });
        document.body.append(a);
        a.click();
        a.remove();
      },
    },
    { label: "Move to Trash", testid: "action-trash", run: remove },
  ];
  return row("notebook", nb.name, cell, formatWhen(nb.updated_at), actions, { rename, remove });
}

export function folderRow(folder: FolderOut, host: RowHost, showFolder: boolean): HTMLTableRowElement {
  const leaf = baseName(folder.path);
  const link = h(
    "a",
    { href: locationUrl({ view: "drive", folder: folder.path }), class: "row-link", "data-testid": "folder-link" },
    icon("folder"),
    leaf,
  );
  const cell = h("span", { class: "row-name" }, link, showFolder ? where(folder.path) : "");
  const rename = () =>
    void promptDialog("Rename folder", leaf, async (typed) => {
      const name = typed.trim();
      if (!name || name.includes("/")) throw new Error("Give a name without slashes.");
      const out = await driveApi.moveFolder(folder.path, joinPath(parentOf(folder.path), name));
      host.say(`Renamed to ${name}.`);
      await host.reload();
      return out;
    }, "Rename");
  const remove = () =>
    void act(host, `${leaf} moved to the Trash.`, () => driveApi.trashFolder(folder.path));
  const move = async () => {
    const folders = await host.folders().catch((e: unknown) => (host.fail(e), null));
    if (!folders) return;
    await moveDialog(
      `Move “${leaf}”`,
      folders,
      parentOf(folder.path),
      async (target) => {
        await driveApi.moveFolder(folder.path, joinPath(target, leaf));
        host.say(`${leaf} moved to ${target || "My Drive"}.`);
        await host.reload();
      },
      folder.path,
    );
  };
  const actions = (): RowAction[] => [
    { label: "Open", testid: "action-open", run: () => host.openFolder(folder.path) },
    { label: "Share", testid: "action-share", run: () => void openShareDialog({ kind: "folder", path: folder.path }) },
    { label: "Rename", testid: "action-rename", run: rename },
    { label: "Move", testid: "action-move", run: move },
    { label: "Move to Trash", testid: "action-trash", run: remove },
  ];
  return row("folder", folder.path, cell, formatWhen(folder.updated_at), actions, { rename, remove });
}

export function trashRow(item: TrashItemOut, host: RowHost): HTMLTableRowElement {
  const leaf = baseName(item.name);
  const label = h(
    "span",
    { class: "row-name", tabindex: "0", "data-testid": "trash-name" },
    icon(item.kind === "folder" ? "folder" : "file"),
    leaf,
    where(item.name),
  );
  const restore = () =>
    act(host, `${leaf} restored.`, async () => {
      const out = await driveApi.restore(item.id);
      if (baseName(out.name) !== leaf) host.say(`Restored as ${out.name}.`);
    });
  const forever = async () => {
    const ok = await confirmDialog("Delete forever?", `“${leaf}” will be deleted forever. This cannot be undone.`, "Delete forever");
    if (ok) await act(host, `${leaf} deleted forever.`, () => driveApi.deleteForever(item.id));
  };
  const actions = (): RowAction[] => [
    { label: "Restore", testid: "action-restore", run: restore },
    { label: "Delete forever", testid: "action-delete-forever", run: forever },
  ];
  const tr = row("trash", item.name, label, formatWhen(item.trashed_at), actions, {});
  const quick = h("button", { type: "button", class: "restore", "data-testid": "restore" }, "Restore");
  quick.addEventListener("click", () => void restore());
  tr.querySelector(".actions")!.prepend(quick);
  return tr;
}
