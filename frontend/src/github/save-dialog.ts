// File → Save a copy in GitHub: repository, branch (existing or new from the default
// one), path, commit message, "Include a link to cloudbook". A push that lost a race
// offers to save on a new branch; nothing is overwritten.
import "./github.css";

import { api, ApiError } from "../api";
import type { MyRepos, RepoBrowse, SavedOut } from "../api-types";
import { h } from "../views/dom";
import { Modal } from "../views/modal";
import { tokenField } from "./token-field";
import { hostName } from "./links";

export interface SaveTarget {
  /** The default path in the repository. */
  path: string;
  /** owner/name and branch to start with (a copy from GitHub goes back where it came from). */
  repo?: string;
  branch?: string;
  /** Posts the request: a drive notebook by id, a scratch copy with its content. */
  save(body: Record<string, unknown>): Promise<SavedOut>;
}

const NEW_BRANCH = "\u0000new";
const LAST_REPO = "cloudbook.github.last-repo";

export function openSaveToGithub(target: SaveTarget): Modal {
  const title = `Save a copy in ${hostName()}`;
  const modal = new Modal(title, "github-dialog");
  const field = (label: string, control: HTMLElement) =>
    h("label", { class: "field" }, h("span", {}, label), control);
  // Typed, or picked from the repositories the stored token's user works on.
  const picks = h("datalist", { id: "github-repo-picks", "data-testid": "github-repo-picks" });
  const repo = h("input", {
    value: target.repo ?? localStorage.getItem(LAST_REPO) ?? "",
    placeholder: "owner/repository",
    list: "github-repo-picks",
    autocomplete: "off",
    "data-testid": "github-repo",
  });
  const loadPicks = async (stored: boolean) => {
    if (!stored) return void picks.replaceChildren();
    try {
      const { repos } = await api<MyRepos>("GET", "/api/github/my-repos");
      picks.replaceChildren(...repos.map((name) => h("option", { value: name })));
    } catch {
      picks.replaceChildren(); // typing still works; the branch list says what is wrong
    }
  };
  const branch = h("select", { "data-testid": "github-branch" });
  const newBranch = h("input", { placeholder: "new-branch", "data-testid": "github-new-branch" });
  const newRow = field("New branch (from the default branch)", newBranch);
  const path = h("input", { value: target.path, "data-testid": "github-path" });
  const message = h("input", { value: "Created using cloudbook", "data-testid": "github-message" });
  const link = h("input", { type: "checkbox", checked: true, "data-testid": "github-include-link" });
  const status = h("p", { class: "status", role: "status", "data-testid": "github-status" });
  const ok = h("button", { type: "button", class: "primary", "data-testid": "github-save" }, "OK");
  const cancel = h("button", { type: "button" }, "Cancel");
  let newFrom = "default";

  const setBranches = (names: string[], chosen: string) => {
    branch.replaceChildren(
      ...names.map((n) => h("option", { value: n }, n)),
      h("option", { value: NEW_BRANCH }, "New branch…"),
    );
    branch.value = names.includes(chosen) ? chosen : names.length ? names[0]! : NEW_BRANCH;
    newRow.hidden = branch.value !== NEW_BRANCH;
  };
  const loadBranches = async () => {
    // owner/name, or a GitLab subgroup's group/sub/name (asked as group~sub/name).
    const parts = repo.value.trim().split("/");
    const name = parts.pop();
    const owner = parts.join("~");
    if (!owner || !name) return;
    status.textContent = "Loading branches…";
    try {
      const data = await api<RepoBrowse>(
        "GET",
        `/api/github/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`,
      );
      setBranches(data.branches, target.branch ?? data.default_branch);
      status.textContent = data.branches.length ? "" : "An empty repository: the first commit.";
    } catch (e) {
      // A host without a listing API, or no access yet: branches can still be typed.
      setBranches([target.branch ?? "main"], target.branch ?? "main");
      status.textContent = e instanceof Error ? e.message : "";
    }
  };
  repo.addEventListener("change", () => void loadBranches());
  branch.addEventListener("change", () => {
    newRow.hidden = branch.value !== NEW_BRANCH;
    newFrom = "default";
  });
  setBranches([target.branch ?? "main"], target.branch ?? "main");

  const save = async () => {
    const isNew = branch.value === NEW_BRANCH;
    const body = {
      repo: repo.value.trim(),
      branch: isNew ? newBranch.value.trim() : branch.value,
      path: path.value.trim(),
      message: message.value,
      include_link: link.checked,
      new_branch_from: isNew ? newFrom : null,
    };
    ok.disabled = true;
    status.textContent = "Saving…";
    status.classList.remove("error");
    try {
      const saved = await target.save(body);
      localStorage.setItem(LAST_REPO, body.repo);
      status.replaceChildren(
        "Saved to ",
        h("a", { href: saved.url, target: "_blank", rel: "noopener", "data-testid": "github-saved-link" },
          `${body.repo} @ ${saved.branch}`),
        ` (commit ${saved.commit.slice(0, 7)}).`,
      );
      ok.textContent = "Save again";
    } catch (e) {
      status.classList.add("error");
      status.textContent = e instanceof Error ? e.message : "Could not save.";
      if (e instanceof ApiError && e.code === "push_conflict") {
        // Keep the user's work: the same save on a fresh branch made from theirs.
        const onNew = h("button", { type: "button", "data-testid": "github-save-new-branch" },
          "Save on a new branch");
        const from = body.branch;
        onNew.addEventListener("click", () => {
          newFrom = from;
          branch.value = NEW_BRANCH;
          newRow.hidden = false;
          newBranch.value = `${from}-cloudbook-${Date.now().toString(36)}`;
          void save();
        });
        status.append(" ", onNew);
      }
    } finally {
      ok.disabled = false;
    }
  };
  ok.addEventListener("click", () => void save());
  cancel.addEventListener("click", () => modal.close());
  modal.box.append(
    h("h2", {}, title),
    tokenField((stored) => void loadPicks(stored)),
    field("Repository", repo),
    picks,
    field("Branch", branch),
    newRow,
    field("File path", path),
    field("Commit message", message),
    h("label", { class: "check" }, link, " Include a link to cloudbook"),
    status,
    h("div", { class: "buttons" }, cancel, ok),
  );
  if (repo.value) void loadBranches();
  repo.focus();
  return modal;
}
