// Bundles the frontend into cloudbook/static (never committed; built by `pip install`).
//
//   node build.mjs          production: minified, no source maps, content-hashed names
//                           (app-<hash>.js) so a browser never mixes an old bundle with a
//                           new index.html; index.html is rewritten to point at them.
//   node build.mjs --watch  development: stable names (app.js), source maps, rebuilds on change.
import { build, context } from "esbuild";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(here, "../cloudbook/static");
const watch = process.argv.includes("--watch");

/** Writes index.html with the asset references replaced by the names esbuild produced. */
async function writeIndex(metafile) {
  // The entry point's output names its CSS bundle (the CSS imported from main.ts).
  const [js, info] = Object.entries(metafile.outputs).find(([, o]) => o.entryPoint);
  const names = { js: basename(js), css: basename(info.cssBundle ?? "app.css") };
  const template = await readFile(resolve(here, "index.html"), "utf8");
  const html = template
    .replace('"/static/app.js"', `"/static/${names.js}"`)
    .replace('"/static/app.css"', `"/static/${names.css}"`);
  await writeFile(resolve(out, "index.html"), html);
}

const writeIndexPlugin = {
  name: "write-index",
  setup(b) {
    b.onEnd(async (result) => {
      if (result.metafile) await writeIndex(result.metafile);
    });
  },
};

const options = {
  entryPoints: { app: resolve(here, "src/main.ts") },
  bundle: true,
  format: "esm",
  target: "es2022",
  outdir: out,
  entryNames: watch ? "[name]" : "[name]-[hash]",
  assetNames: "[name]-[hash]",
  minify: !watch,
  sourcemap: watch,
  metafile: true,
  legalComments: "none",
  logLevel: "info",
  loader: { ".woff2": "file", ".woff": "empty", ".ttf": "empty" },
  plugins: [writeIndexPlugin],
};

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
if (watch) {
  const ctx = await context(options);
  await ctx.watch();
} else {
  await build(options);
}
