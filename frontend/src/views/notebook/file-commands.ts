// The File menu's drive commands: New, Open, Upload, Rename, Move, Save a copy in Drive.
// "save-copy-github" and "save-copy-gist" are listed in the menu (FILE_MENU) but defined
// by the GitHub part when present; the menu leaves out ids nobody registered.
import type { Command } from "../../commands/registry";
import { moveDialog } from "../home/dialogs";
import { driveApi } from "../home/drive-api";
import { baseName, joinPath, parentOf } from "../home/model";
import { pickNotebookFiles, uploadFiles } from "../home/upload";
import { untitledName } from "../list";
import { openNotebookDialog } from "../open-dialog";
import { REVISIONS_COMMAND } from "../panel-commands";
import type { NotebookTitle } from "./title";

export const FILE_MENU = [
  "new-notebook",
  "open-notebook",
  "upload-notebook",
  "rename-notebook",
  "move-notebook",
  "save-copy-drive",
  "save-copy-github",
  "save-copy-gist",
  "publish-notebook",
  "download-ipynb",
  "download-py",
  "download-html",
  "download-pdf",
  "print",
  REVISIONS_COMMAND,
];

export interface FilePage {
  id: string;
  title: NotebookTitle;
  /** Saves pending edits (before a copy is made from the stored file). */
  flush(): Promise<unknown>;
  tell(message: string): void;
}

const extra: ((p: FilePage) => Command[])[] = [];

/** Lets another part add File commands (e.g. "save-copy-github", "save-copy-gist"). */
/** The File menu of a scratch copy opened from GitHub (no drive file yet). */
export const SCRATCH_FILE_MENU = [
  "save-scratch-to-drive",
  "new-notebook",
  "open-notebook",
  "upload-notebook",
  "save-copy-github",
  "download-ipynb",
  "download-py",
  "print",
];

/** Commands that act on the notebook's drive file: left out on scratch copies. */
export const DRIVE_ONLY = new Set([
  "rename-notebook",
  "move-notebook",
  "save-copy-drive",
  "publish-notebook",
  "download-html",
  "download-pdf",
]);

export function registerFileCommands(factory: (p: FilePage) => Command[]): void {
  extra.push(factory);
}

/** Opens an app path in this tab, through the app's router. */
export function goTo(path: string): void {
  history.pushState(null, "", path);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

export function fileCommands(p: FilePage): Command[] {
  const fail = (e: unknown) => p.tell(e instanceof Error ? e.message : "That did not work.");
  return [
    ...extra.flatMap((factory) => factory(p)),
    {
      id: "new-notebook",
      label: "New notebook",
      group: "File",
      run: async () => {
        try {
          const taken = (await driveApi.list({ folder: "" })).notebooks.map((n) => n.name);
          const nb = await driveApi.createNotebook(untitledName(taken));
          window.open(`/notebooks/${encodeURIComponent(nb.id)}`, "_blank");
        } catch (e) {
          fail(e);
        }
      },
    },
    {
      id: "open-notebook",
      label: "Open notebook",
      group: "File",
      keys: ["Ctrl+O"],
      run: () => void openNotebookDialog(goTo),
    },
    {
      id: "upload-notebook",
      label: "Upload notebook",
      group: "File",
      run: async () => {
        const files = await pickNotebookFiles();
        if (!files.length) return;
        const [first] = await uploadFiles(files.slice(0, 1), "");
        if (first?.notebook) goTo(`/notebooks/${encodeURIComponent(first.notebook.id)}`);
      },
    },
    { id: "rename-notebook", label: "Rename", group: "File", run: () => p.title.edit() },
    {
      id: "move-notebook",
      label: "Move",
      group: "File",
      run: async () => {
        try {
          const { folders } = await driveApi.folders();
          const leaf = baseName(p.title.fullName);
          await moveDialog(`Move “${leaf}”`, folders, parentOf(p.title.fullName), async (folder) => {
            const nb = await driveApi.rename(p.id, joinPath(folder, leaf));
            p.title.setName(nb.name);
            p.tell(`Moved to ${folder || "My Drive"}.`);
          });
        } catch (e) {
          fail(e);
        }
      },
    },
    {
      id: "save-copy-drive",
      label: "Save a copy in Drive",
      group: "File",
      run: async () => {
        try {
          await p.flush();
          const copy = await driveApi.duplicate(p.id);
          p.tell(`Saved a copy as ${copy.name}.`);
          window.open(`/notebooks/${encodeURIComponent(copy.id)}`, "_blank");
        } catch (e) {
          fail(e);
        }
      },
    },
  ];
}
