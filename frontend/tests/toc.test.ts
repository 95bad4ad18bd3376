import { describe, expect, it } from "vitest";

import { newCodeCell, newMarkdownCell } from "../src/model";
import { headingsOf } from "../src/views/toc";
import { describeResources, formatBytes } from "../src/views/resources-format";

describe("headingsOf", () => {
  it("lists ATX and setext headings of all levels, not # lines in code blocks", () => {
    const cells = [
      newMarkdownCell("# One\ntext\n\n## Two\n\n```\n# comment\n```\n\nThree\n-----\n\n###### Six"),
      newCodeCell("# a comment, not a heading"),
    ];
    expect(headingsOf(cells).map((e) => [e.level, e.text])).toEqual([
      [1, "One"],
      [2, "Two"],
      [2, "Three"],
      [6, "Six"],
    ]);
  });

  it("lists code cells' #@title one level below the heading before them", () => {
    const cells = [
      newCodeCell("#@title Before any heading\nx = 1"),
      newMarkdownCell("## Section"),
      newCodeCell("#@title ### Load data { display-mode: \"form\" }\nx = 2"),
      newCodeCell("#@title\nx = 3"),
    ];
    const entries = headingsOf(cells);
    expect(entries.map((e) => [e.kind, e.level, e.text])).toEqual([
      ["title", 1, "Before any heading"],
      ["heading", 2, "Section"],
      ["title", 3, "Load data"],
    ]);
    expect(entries[2]!.cellId).toBe(cells[2]!.id);
  });
});

describe("resources text", () => {
  it("formats bytes as Colab does (decimal units)", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1_234_567)).toBe("1.23 MB");
    expect(formatBytes(13_600_000_000)).toBe("13.6 GB");
  });

  it("names RAM, Disk and each GPU", () => {
    const text = describeResources({
      memory: { used: 1e9, total: 12.7e9 },
      disk: { used: 30e9, total: 100e9 },
      gpus: [{ name: "NVIDIA H200", memory_used: 2e9, memory_total: 141e9, utilization: 3 }],
    });
    expect(text).toBe(
      "RAM: 1.00 GB / 12.7 GB\nDisk: 30.0 GB / 100.0 GB\n" +
        "GPU (NVIDIA H200): 2.00 GB / 141.0 GB, 3% busy",
    );
  });
});
