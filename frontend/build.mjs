// Bundles the frontend into cloudbook/static (never committed; built by `pip install`).
import { build, context } from "esbuild";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(here, "../cloudbook/static");
const watch = process.argv.includes("--watch");

const options = {
  entryPoints: { app: resolve(here, "src/main.ts") },
  bundle: true,
  format: "esm",
  target: "es2022",
  outdir: out,
  minify: !watch,
  sourcemap: watch,
  logLevel: "info",
  loader: { ".woff2": "file", ".woff": "empty", ".ttf": "empty" },
};

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await copyFile(resolve(here, "index.html"), resolve(out, "index.html"));
if (watch) {
  const ctx = await context(options);
  await ctx.watch();
} else {
  await build(options);
}
