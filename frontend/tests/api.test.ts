// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";

import { api, ApiError } from "../src/api";

interface Seen {
  url: string;
  init: RequestInit;
}

function serve(status: number, body: unknown): Seen[] {
  const seen: Seen[] = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    seen.push({ url, init });
    return new Response(body === null ? null : JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json" },
    });
  });
  return seen;
}

afterEach(() => {
  vi.unstubAllGlobals();
  document.cookie = "cloudbook_xsrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT";
});

describe("api()", () => {
  it("sends the XSRF cookie as a header on unsafe requests only", async () => {
    document.cookie = "other=1";
    document.cookie = "cloudbook_xsrf=tok%3Den";
    const seen = serve(200, { ok: true });
    await api("POST", "/api/notebooks", { name: "a.ipynb" });
    await api("GET", "/api/notebooks");
    const post = seen[0]!.init.headers as Record<string, string>;
    expect(post["X-XSRF-Token"]).toBe("tok=en");
    expect(post["Content-Type"]).toBe("application/json");
    expect(seen[0]!.init.body).toBe('{"name":"a.ipynb"}');
    expect((seen[1]!.init.headers as Record<string, string>)["X-XSRF-Token"]).toBeUndefined();
  });

  it("turns an error body into ApiError with status, code and message", async () => {
    serve(409, { error: { code: "stale_revision", message: "The notebook changed." } });
    const error = await api("PUT", "/api/notebooks/x", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: "stale_revision", message: "The notebook changed." });
  });

  it("copes with errors that are not JSON and with 204", async () => {
    vi.stubGlobal("fetch", async () => new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" }));
    await expect(api("GET", "/api/me")).rejects.toMatchObject({ status: 502, code: "http_error" });
    serve(204, null);
    await expect(api("DELETE", "/api/notebooks/x")).resolves.toBeUndefined();
    vi.stubGlobal("fetch", async () => {
      throw new TypeError("Failed to fetch");
    });
    await expect(api("GET", "/api/me")).rejects.toMatchObject({ status: 0, code: "network_error" });
  });

  it("asks for keepalive only for bodies the browser accepts with it", async () => {
    const seen = serve(200, {});
    await api("PUT", "/x", { small: 1 }, { keepalive: true });
    await api("PUT", "/x", { big: "x".repeat(70_000) }, { keepalive: true });
    expect(seen.map((s) => s.init.keepalive)).toEqual([true, false]);
  });
});
