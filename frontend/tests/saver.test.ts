// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { SAVE_DELAY_MS, Saver } from "../src/views/saver";

interface Put {
  base_revision: number;
  content: { n: number };
}

let puts: Put[];
let answer: (put: Put) => Response;

beforeEach(() => {
  vi.useFakeTimers();
  puts = [];
  answer = (put) => Response.json({ revision: put.base_revision + 1 });
  vi.stubGlobal("fetch", async (_url: string, init: RequestInit) => {
    const put = JSON.parse(String(init.body)) as Put;
    puts.push(put);
    return answer(put);
  });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function setup() {
  let n = 0;
  const label = document.createElement("span");
  const alerts: string[] = [];
  const saver = new Saver("nb1", 4, () => ({ n: ++n }), label, (m) => alerts.push(m));
  return { saver, label, alerts };
}

describe("autosave", () => {
  it("saves once after edits settle, conditionally on the last revision", async () => {
    const { saver, label } = setup();
    expect(label.textContent).toBe("Saved");
    saver.changed();
    saver.changed();
    expect(label.textContent).toBe("Unsaved changes");
    await vi.advanceTimersByTimeAsync(SAVE_DELAY_MS + 10);
    expect(puts.map((p) => p.base_revision)).toEqual([4]);
    expect(label.textContent).toBe("Saved");
    saver.changed(0);
    await vi.advanceTimersByTimeAsync(10);
    expect(puts.map((p) => p.base_revision)).toEqual([4, 5]);
    expect(saver.pending()).toBe(false);
  });

  it("stops on a stale revision and says the notebook changed elsewhere", async () => {
    const { saver, label, alerts } = setup();
    answer = () => Response.json({ error: { code: "stale_revision", message: "stale" } }, { status: 409 });
    saver.changed(0);
    await vi.advanceTimersByTimeAsync(10);
    expect(label.dataset["state"]).toBe("conflict");
    expect(alerts[0]).toContain("changed elsewhere");
    saver.changed(0);
    await vi.advanceTimersByTimeAsync(SAVE_DELAY_MS * 10);
    expect(puts.length).toBe(1);
    expect(saver.pending()).toBe(true);
  });

  it("retries after a failed save", async () => {
    const { saver, label } = setup();
    answer = () => Response.json({ error: { code: "internal", message: "boom" } }, { status: 500 });
    saver.changed(0);
    await vi.advanceTimersByTimeAsync(10);
    expect(label.textContent).toBe("Not saved");
    answer = (put) => Response.json({ revision: put.base_revision + 1 });
    await vi.advanceTimersByTimeAsync(6000);
    expect(puts.length).toBe(2);
    expect(label.textContent).toBe("Saved");
  });
});

describe("a save over a newer revision", () => {
  it("fetches the newer revision, lets the page merge, and saves on top of it", async () => {
    const calls: string[] = [];
    const latest = { revision: 9, content: { n: 100 } };
    vi.stubGlobal("fetch", async (_url: string, init: RequestInit) => {
      calls.push(init.method ?? "GET");
      if (init.method === "GET") return Response.json(latest);
      const put = JSON.parse(String(init.body)) as Put;
      puts.push(put);
      if (put.base_revision === 4) {
        return Response.json({ error: { code: "stale_revision", message: "stale" } }, { status: 409 });
      }
      return Response.json({ revision: put.base_revision + 1 });
    });
    let content = { n: 1 };
    const merges: unknown[] = [];
    const label = document.createElement("span");
    const saver = new Saver("nb1", 4, () => content, label, () => {}, {
      base: { n: 0 },
      onConflict: (l, base) => {
        merges.push({ latest: l, base });
        content = { n: 101 };
      },
    });
    saver.changed(0);
    await vi.advanceTimersByTimeAsync(50);
    expect(calls).toEqual(["PUT", "GET", "PUT"]);
    expect(merges).toEqual([{ latest, base: { n: 0 } }]);
    expect(puts.map((p) => [p.base_revision, p.content.n])).toEqual([
      [4, 1],
      [9, 101],
    ]);
    expect(label.textContent).toBe("Saved");
    expect(saver.pending()).toBe(false);
  });
});
