import { describe, expect, it } from "vitest";

import type { NotebookOut } from "../src/api-types";
import {
  breadcrumbs,
  locationUrl,
  notebookFileName,
  parseLocation,
  recentFirst,
  sortNotebooks,
} from "../src/views/home/model";
import { githubPath } from "../src/views/open-dialog";

const nb = (name: string, updated: string, opened: string | null = null): NotebookOut => ({
  id: name,
  name,
  revision: 1,
  created_at: updated,
  updated_at: updated,
  opened_at: opened,
});

describe("home locations", () => {
  it("reads and writes the view, folder and search from the URL", () => {
    expect(parseLocation("")).toEqual({ view: "drive", folder: "", q: "" });
    expect(parseLocation("?folder=a/b/")).toEqual({ view: "drive", folder: "a/b", q: "" });
    expect(parseLocation("?view=trash")).toEqual({ view: "trash", folder: "", q: "" });
    expect(parseLocation("?q=%20x%20&view=trash")).toEqual({ view: "search", folder: "", q: "x" });
    expect(locationUrl({ view: "drive", folder: "a b/c" })).toBe("/?folder=a+b%2Fc");
    expect(locationUrl({ view: "recent" })).toBe("/?view=recent");
    expect(locationUrl({ view: "drive", folder: "" })).toBe("/");
  });

  it("builds breadcrumbs from My Drive down", () => {
    expect(breadcrumbs("a/b")).toEqual([
      { label: "My Drive", folder: "" },
      { label: "a", folder: "a" },
      { label: "b", folder: "a/b" },
    ]);
  });
});

describe("ordering", () => {
  it("sorts names naturally by the file's own name, and by modified time", () => {
    const list = [nb("z/a10.ipynb", "2026-01-03"), nb("b2.ipynb", "2026-01-01"), nb("A1.ipynb", "2026-01-02")];
    expect(sortNotebooks(list, "name", true).map((n) => n.name)).toEqual(["A1.ipynb", "z/a10.ipynb", "b2.ipynb"]);
    expect(sortNotebooks(list, "modified", false).map((n) => n.name)).toEqual(["z/a10.ipynb", "A1.ipynb", "b2.ipynb"]);
  });

  it("puts the last opened or modified first in Recent", () => {
    const list = [nb("old.ipynb", "2026-01-01", "2026-02-01"), nb("new.ipynb", "2026-01-15")];
    expect(recentFirst(list).map((n) => n.name)).toEqual(["old.ipynb", "new.ipynb"]);
  });
});

describe("names", () => {
  it("adds .ipynb and refuses slashes", () => {
    expect(notebookFileName(" report ")).toBe("report.ipynb");
    expect(notebookFileName("x.IPYNB")).toBe("x.IPYNB");
    expect(notebookFileName("a/b")).toBe("");
    expect(notebookFileName("  ")).toBe("");
  });

  it("turns GitHub and Colab links into the /github/ path", () => {
    const path = "/github/googlecolab/colabtools/blob/master/notebooks/colab-github-demo.ipynb";
    expect(githubPath(`https://colab.research.google.com${path}`)).toBe(path);
    expect(githubPath("https://github.com/googlecolab/colabtools/blob/master/notebooks/colab-github-demo.ipynb")).toBe(path);
    expect(githubPath(`${path}#scrollTo=abc`)).toBe(`${path}#scrollTo=abc`);
    expect(githubPath("https://example.com/not/a/notebook")).toBeNull();
  });
});

describe("shared folder locations", () => {
  it("round-trips the owner and folder of a shared folder", () => {
    const loc = parseLocation("?view=shared&owner=alice&folder=proj%2Fdata");
    expect(loc).toEqual({ view: "shared", folder: "proj/data", q: "", owner: "alice" });
    expect(parseLocation(new URL(locationUrl(loc), "http://x").search)).toEqual(loc);
  });
  it("is the plain Shared with me list without both", () => {
    expect(parseLocation("?view=shared&owner=alice")).toEqual({ view: "shared", folder: "", q: "" });
    expect(locationUrl({ view: "shared" })).toBe("/?view=shared");
  });
});
