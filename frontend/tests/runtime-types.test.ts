// @vitest-environment jsdom
import { describe, expect, it } from "vitest";

import {
  DirectRuntimeError,
  parseServerUrl,
  serverCommand,
} from "../src/views/notebook/direct-runtime";
import { withRuntimeType } from "../src/views/runtime-dialogs";

describe("local runtime URLs", () => {
  it("takes the base and the token from what Jupyter prints", () => {
    expect(parseServerUrl(" http://localhost:8888/?token=abc ")).toEqual({
      base: "http://localhost:8888",
      token: "abc",
    });
    expect(parseServerUrl("http://127.0.0.1:8888/lab?token=t")).toEqual({
      base: "http://127.0.0.1:8888",
      token: "t",
    });
    expect(parseServerUrl("https://h.example/user/x/tree").base).toBe("https://h.example/user/x");
  });

  it("refuses what is not an http URL or carries credentials", () => {
    expect(() => parseServerUrl("localhost 8888")).toThrow(DirectRuntimeError);
    expect(() => parseServerUrl("file:///etc/passwd")).toThrow(/http:\/\/ or https:\/\//);
    expect(() => parseServerUrl("http://u:p@localhost:8888/")).toThrow(/user name/);
  });

  it("names the page's origin in the server command", () => {
    expect(serverCommand("https://cb.example")).toContain(
      "--ServerApp.allow_origin='https://cb.example'",
    );
  });
});

describe("runtime type metadata", () => {
  it("writes Colab's keys and removes them again", () => {
    const meta = { colab: { provenance: [] }, kernelspec: { name: "python3" } };
    const gpu = withRuntimeType(meta, { accelerator: "gpu", gpu_type: "T4", shape: "highmem" });
    expect(gpu).toEqual({
      accelerator: "GPU",
      colab: { provenance: [], gpuType: "T4", machine_shape: "hm" },
      kernelspec: { name: "python3" },
    });
    expect(withRuntimeType(gpu, { accelerator: "none", gpu_type: null, shape: "standard" })).toEqual(
      meta,
    );
  });
});
