// @vitest-environment jsdom
import { describe, expect, it } from "vitest";

import { badgeMarkdown, githubPage, notebookPath } from "../src/github/links";

describe("notebookPath", () => {
  it("turns GitHub, Colab and gist links into this service's paths", () => {
    expect(notebookPath("https://github.com/o/r/blob/main/a/b.ipynb")).toBe(
      "/github/o/r/blob/main/a/b.ipynb",
    );
    expect(
      notebookPath("https://colab.research.google.com/github/o/r/blob/main/x.ipynb#scrollTo=abc"),
    ).toBe("/github/o/r/blob/main/x.ipynb#scrollTo=abc");
    expect(notebookPath("https://gist.github.com/user/0123abcd")).toBe("/gist/user/0123abcd");
    expect(notebookPath(`${location.origin}/github/o/r/blob/dev/n.ipynb`)).toBe(
      "/github/o/r/blob/dev/n.ipynb",
    );
  });

  it("reads the configured GitLab or Gitea host's own links", () => {
    const gitlab = { host: "git.example.com", prefix: "" };
    expect(notebookPath("https://git.example.com/o/r/-/blob/main/a/b.ipynb#scrollTo=c1", gitlab)).toBe(
      "/github/o/r/blob/main/a/b.ipynb#scrollTo=c1",
    );
    const gitea = { host: "example.com", prefix: "/gitea" };
    expect(notebookPath("https://example.com/gitea/o/r/src/branch/dev/n.ipynb", gitea)).toBe(
      "/github/o/r/blob/dev/n.ipynb",
    );
    expect(notebookPath("https://example.com/o/r/src/branch/dev/n.ipynb", gitea)).toBeNull();
    expect(notebookPath("https://github.com/o/r/blob/main/x.ipynb", gitlab)).toBeNull();
    expect(notebookPath("https://git.example.com/o/r/-/raw/main/x.ipynb", gitlab)).toBeNull();
  });

  it("refuses what names no notebook", () => {
    expect(notebookPath("https://github.com/o/r")).toBeNull();
    expect(notebookPath("https://example.com/o/r/blob/main/x.ipynb")).toBeNull();
    expect(notebookPath("https://u:p@github.com/o/r/blob/main/x.ipynb")).toBeNull();
    expect(notebookPath("file:///etc/passwd")).toBeNull();
    expect(notebookPath("javascript:alert(1)")).toBeNull();
  });
});

describe("githubPage", () => {
  it("tells the browse pages from a notebook", () => {
    expect(githubPage("/github")).toEqual({ kind: "link" });
    expect(githubPage("/github/octo")).toEqual({ kind: "owner", owner: "octo" });
    expect(githubPage("/github/octo/demo")).toEqual({
      kind: "repo", owner: "octo", repo: "demo", ref: null,
    });
    expect(githubPage("/github/octo/demo/tree/feature/x")).toEqual({
      kind: "repo", owner: "octo", repo: "demo", ref: "feature/x",
    });
    expect(githubPage("/github/octo/demo/blob/main/x.ipynb")).toEqual({ kind: "notebook" });
    expect(githubPage("/gist/u/abc")).toEqual({ kind: "notebook" });
    expect(githubPage("/notebooks/1")).toBeNull();
  });
});

it("writes the badge markdown", () => {
  expect(badgeMarkdown("https://cb.example", "/github/o/r/blob/main/x.ipynb")).toBe(
    "[![Open In cloudbook](https://cb.example/assets/badge.svg)](https://cb.example/github/o/r/blob/main/x.ipynb)",
  );
});
