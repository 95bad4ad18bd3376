// The File menu's GitHub entries (and "Save a copy in Drive" for a copy from GitHub).
import { api } from "../api";
import type { SavedOut } from "../api-types";
import type { Command } from "../commands/registry";
import { saveNotebook } from "../model";
import type { NotebookPage } from "../views/notebook";
import { openSaveGist } from "./gist-dialog";
import { gitHost, hostName } from "./links";
import { openSaveToGithub } from "./save-dialog";
import { saveCopyInDrive } from "./scratch";

// "save-copy-github" and "save-copy-gist" are the ids the drive File menu lists;
// "save-scratch-to-drive" is a copy from GitHub's own "Save a copy in Drive".
export const GITHUB_FILE_COMMANDS = ["save-scratch-to-drive", "save-copy-github", "save-copy-gist"];

/** For a copy opened from `/github/{owner}/{repo}/blob/{ref}/{path}`: where it came from. */
function origin(source: string): { repo: string; branch: string; path: string } | null {
  const m = source.match(/^\/github\/([^/]+)\/([^/]+)\/blob\/([^/]+)\/(.+)$/);
  // A GitLab subgroup's `group~sub` is shown as typed: group/sub/repo.
  return m ? { repo: `${m[1]!.replaceAll("~", "/")}/${m[2]}`, branch: m[3]!, path: m[4]! } : null;
}

export function githubCommands(page: NotebookPage, name: () => string): Command[] {
  const group = "File";
  const scratch = page.scratch;
  const list: Command[] = [
    {
      id: "save-copy-github",
      label: `Save a copy in ${hostName()}`,
      group,
      run: () => {
        if (scratch) {
          const from = origin(scratch.opened.source);
          openSaveToGithub({
            path: from?.path ?? name(),
            repo: from?.repo,
            branch: from?.branch,
            save: (body) =>
              api<SavedOut>("POST", "/api/github/save", {
                ...body,
                content: page.widgets.annotate(saveNotebook(page.nb), page.nb.cells),
              }),
          });
          return;
        }
        openSaveToGithub({
          path: name(),
          save: async (body) => {
            await page.saver.flush();
            return api<SavedOut>("POST", `/api/notebooks/${encodeURIComponent(page.id)}/github`, body);
          },
        });
      },
    },
    {
      id: "save-copy-gist",
      label: `Save a copy as a ${hostName()} ${gitHost.gists}`,
      group,
      run: () => void page.saver.flush().then(() => openSaveGist(page.id, name())),
      enabled: () => !scratch,
    },
  ];
  if (scratch) {
    list.unshift({
      id: "save-scratch-to-drive",
      label: "Save a copy in Drive",
      group,
      run: () => void saveCopyInDrive(page, scratch.opened.name),
    });
  }
  return list;
}
