// Notebook links: a pasted github.com (or the configured GitLab / Gitea host's), Colab or
// cloudbook URL → this service's path for it, as Colab's own scheme (only the host
// changes), and the badge markdown.
import { api } from "../api";
import type { GitHostOut } from "../api-types";

const COLAB = "colab.research.google.com";

const HOST_NAMES: Record<string, string> = { github: "GitHub", gitlab: "GitLab", gitea: "Gitea" };

/** The configured git host (GET /api/github/host); github.com until it is known. */
export const gitHost = { host: "github.com", prefix: "", kind: "github", gists: "Gist" };
let asked: Promise<void> | null = null;

/** What the page calls the git host in its labels ("GitHub", "GitLab", "Gitea"). */
export function hostName(): string {
  return HOST_NAMES[gitHost.kind] ?? "GitHub";
}

/** An example link to a notebook on the git host, for input placeholders. */
export function exampleLink(): string {
  if (gitHost.kind === "github" && gitHost.host === "github.com") {
    return "https://github.com/owner/repo/blob/main/notebook.ipynb";
  }
  const blob = { gitlab: "-/blob", gitea: "src/branch" }[gitHost.kind] ?? "blob";
  return `https://${gitHost.host}${gitHost.prefix}/owner/repo/${blob}/main/notebook.ipynb`;
}

/** Asks the service once which git host it uses (the app asks at start, after login). */
export function loadGitHost(): Promise<void> {
  asked ??= api<GitHostOut>("GET", "/api/github/host").then(
    (h) => {
      gitHost.host = h.host.toLowerCase();
      gitHost.prefix = h.prefix;
      gitHost.kind = h.kind;
      gitHost.gists = h.gists || "Gist";
    },
    () => {
      // github.com it stays: links still open by their /github/ path. Asked again next
      // time (the app asks before it knows the user is logged in).
      asked = null;
    },
  );
  return asked;
}

/** owner/repo/blob/ref/path… from a git host's own link path: GitHub's `…/blob/…`,
 * GitLab's `…/-/blob/…` (a subgroup's `group/sub/repo/-/blob/…` as `group~sub`, the
 * service's own spelling), Gitea's `…/src/branch|tag|commit/…`. */
function hostBlobParts(parts: string[]): string[] | null {
  const dash = parts.indexOf("-");
  if (dash > 2 && parts[dash + 1] === "blob" && parts.length > dash + 3) {
    return [parts.slice(0, dash - 1).join("~"), parts[dash - 1]!, ...parts.slice(dash + 1)];
  }
  if (parts.length >= 6 && parts[2] === "-" && parts[3] === "blob") {
    return [...parts.slice(0, 2), ...parts.slice(3)];
  }
  if (parts.length >= 6 && parts[2] === "src" && ["branch", "tag", "commit"].includes(parts[3]!)) {
    return [parts[0]!, parts[1]!, "blob", ...parts.slice(4)];
  }
  return parts.length >= 5 && parts[2] === "blob" ? parts : null;
}

/** `/github/{owner}/{repo}/blob/{ref}/{path}` (or `/gist/{user}/{id}`), with any
 * `#scrollTo=` kept; null when the URL names no notebook. */
export function notebookPath(
  text: string,
  host: { host: string; prefix: string } = gitHost,
): string | null {
  let url: URL;
  try {
    url = new URL(text.trim(), location.origin);
  } catch {
    return null;
  }
  if (url.username || url.password || !/^https?:$/.test(url.protocol)) return null;
  const hash = /^#scrollTo=[\w-]+$/.test(url.hash) ? url.hash : "";
  const parts = url.pathname.split("/").filter(Boolean);
  const where = url.host.toLowerCase();
  if (where === host.host || (host.host === "github.com" && where === "www.github.com")) {
    const prefix = host.prefix.split("/").filter(Boolean);
    if (prefix.some((p, i) => parts[i] !== p)) return null;
    const blob = hostBlobParts(parts.slice(prefix.length));
    if (blob && blob.at(-1)!.endsWith(".ipynb")) return `/github/${blob.join("/")}${hash}`;
    return null;
  }
  if (where === "gist.github.com" && parts.length === 2) return `/gist/${parts.join("/")}${hash}`;
  if (where === COLAB || where === location.host) {
    if (parts[0] === "github" && parts[3] === "blob" && parts.length >= 6) {
      return `/${parts.join("/")}${hash}`;
    }
    if (parts[0] === "gist" && parts.length === 3) return `/${parts.join("/")}${hash}`;
  }
  return null;
}

export function badgeMarkdown(origin: string, path: string): string {
  return `[![Open In cloudbook](${origin}/assets/badge.svg)](${origin}${path})`;
}

export function badgeHtml(origin: string, path: string): string {
  return (
    `<a href="${origin}${path}" target="_parent">` +
    `<img src="${origin}/assets/badge.svg" alt="Open In cloudbook"/></a>`
  );
}

/** What a `/github/...` page path names. */
export type GithubPage =
  | { kind: "notebook" }
  | { kind: "owner"; owner: string }
  | { kind: "repo"; owner: string; repo: string; ref: string | null }
  | { kind: "link" };

export function githubPage(pathname: string): GithubPage | null {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "gist" && parts.length === 3) return { kind: "notebook" };
  if (parts[0] !== "github") return null;
  if (parts.length === 1) return { kind: "link" };
  if (parts.length === 2) return { kind: "owner", owner: parts[1]! };
  if (parts.length === 3) return { kind: "repo", owner: parts[1]!, repo: parts[2]!, ref: null };
  if (parts[3] === "tree" && parts.length >= 5) {
    return { kind: "repo", owner: parts[1]!, repo: parts[2]!, ref: parts.slice(4).join("/") };
  }
  if (parts[3] === "blob" && parts.length >= 6) return { kind: "notebook" };
  return null;
}
