// Bundles the frontend into cloudbook/static (never committed; built by `pip install`).
//
//   node build.mjs          production: minified, no source maps, content-hashed names
//                           (app-<hash>.js) so a browser never mixes an old bundle with a
//                           new index.html; index.html is rewritten to point at them.
//   node build.mjs --watch  development: stable names (app.js), source maps, rebuilds on change.
//
// Three bundles: the page (`app`, ES module), the output frame (`frame`, a classic script:
// a sandboxed frame has an opaque origin, and module scripts would need CORS), and KaTeX
// for the frame (`frame-katex`, loaded only when a LaTeX output appears; its fonts are
// inlined because font loads from an opaque origin would need CORS too), and the
// widgets for the frame (`frame-widgets`, build-widgets.mjs, loaded on the first widget).
import { build, context } from "esbuild";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { widgetsBundle } from "./build-widgets.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(here, "../cloudbook/static");
const watch = process.argv.includes("--watch");

// Output names of each bundle, filled in as builds finish.
const names = {};

function entryOutputs(metafile) {
  const [js, info] = Object.entries(metafile.outputs).find(([, o]) => o.entryPoint);
  return { js: `/static/${basename(js)}`, css: info.cssBundle ? `/static/${basename(info.cssBundle)}` : "" };
}

/** Writes index.html with the asset references replaced by the names esbuild produced. */
async function writeIndex() {
  if (!names.app || !names.frame || !names.katex || !names.widgets) return;
  const frame = { js: names.frame.js, katexJs: names.katex.js, katexCss: names.katex.css };
  Object.assign(frame, { widgetsJs: names.widgets.js, widgetsCss: names.widgets.css });
  const template = await readFile(resolve(here, "index.html"), "utf8");
  const html = template
    .replace('"/static/app.js"', `"${names.app.js}"`)
    .replace('"/static/app.css"', `"${names.app.css || "/static/app.css"}"`)
    .replace('content="{}"', `content='${JSON.stringify(frame)}'`);
  await writeFile(resolve(out, "index.html"), html);
}

const recordPlugin = (key) => ({
  name: `record-${key}`,
  setup(b) {
    b.onEnd(async (result) => {
      if (!result.metafile) return;
      names[key] = entryOutputs(result.metafile);
      await writeIndex();
    });
  },
});

const common = {
  bundle: true,
  target: "es2022",
  outdir: out,
  entryNames: watch ? "[name]" : "[name]-[hash]",
  assetNames: "[name]-[hash]",
  minify: !watch,
  sourcemap: watch,
  metafile: true,
  legalComments: "none",
  logLevel: "info",
};

const bundles = [
  {
    ...common,
    entryPoints: { app: resolve(here, "src/main.ts") },
    format: "esm",
    loader: { ".woff2": "file", ".woff": "empty", ".ttf": "empty" },
    plugins: [recordPlugin("app")],
  },
  {
    ...common,
    entryPoints: { frame: resolve(here, "src/frame/main.ts") },
    format: "iife",
    plugins: [recordPlugin("frame")],
  },
  {
    ...common,
    entryPoints: { "frame-katex": resolve(here, "src/frame/katex.ts") },
    format: "iife",
    loader: { ".woff2": "dataurl", ".woff": "empty", ".ttf": "empty" },
    plugins: [recordPlugin("katex")],
  },
  widgetsBundle(here, common, [recordPlugin("widgets")]),
];

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
if (watch) {
  for (const options of bundles) await (await context(options)).watch();
} else {
  await Promise.all(bundles.map((options) => build(options)));
}
