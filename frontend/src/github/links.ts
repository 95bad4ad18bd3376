// Notebook links: a pasted github.com, Colab or cloudbook URL → this service's path for
// it, as Colab's own scheme (only the host changes), and the badge markdown.
const COLAB = "colab.research.google.com";

/** `/github/{owner}/{repo}/blob/{ref}/{path}` (or `/gist/{user}/{id}`), with any
 * `#scrollTo=` kept; null when the URL names no notebook. */
export function notebookPath(text: string, gitHost = "github.com"): string | null {
  let url: URL;
  try {
    url = new URL(text.trim(), location.origin);
  } catch {
    return null;
  }
  if (url.username || url.password || !/^https?:$/.test(url.protocol)) return null;
  const hash = /^#scrollTo=[\w-]+$/.test(url.hash) ? url.hash : "";
  const parts = url.pathname.split("/").filter(Boolean);
  const host = url.host.toLowerCase();
  if (host === gitHost || host === "www.github.com") {
    if (parts.length >= 5 && parts[2] === "blob" && parts.at(-1)!.endsWith(".ipynb")) {
      return `/github/${parts.join("/")}${hash}`;
    }
    return null;
  }
  if (host === "gist.github.com" && parts.length === 2) return `/gist/${parts.join("/")}${hash}`;
  if (host === COLAB || host === location.host) {
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
