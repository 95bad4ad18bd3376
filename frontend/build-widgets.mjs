// The frame's widget bundle (@jupyter-widgets/html-manager 1.x + controls 5 + output 6,
// for ipywidgets 8), built by build.mjs as its own file: loaded only by frames that show
// a widget. A classic script, like the frame bundle (a sandboxed frame has an opaque origin).
import { resolve } from "node:path";

// html-manager also carries the ipywidgets 7 modules and CSS: their CSS breaks the
// version 8 slider layout, and the runtime has ipywidgets 8, so both are left out.
const noIpywidgets7 = {
  name: "no-ipywidgets7",
  setup(b) {
    b.onResolve({ filter: /controls7\/css\/.*\.css$/ }, (a) => ({ path: a.path, namespace: "empty-css" }));
    b.onResolve({ filter: /^@jupyter-widgets\/(base7|controls7)$/ }, (a) => ({
      path: a.path,
      namespace: "empty-js",
    }));
    // Brand icons are never used by widgets; the solid and regular fonts are inlined.
    b.onResolve({ filter: /fa-brands-400\.woff2$/ }, (a) => ({ path: a.path, namespace: "empty-font" }));
    b.onLoad({ filter: /.*/, namespace: "empty-css" }, () => ({ contents: "", loader: "css" }));
    b.onLoad({ filter: /.*/, namespace: "empty-js" }, () => ({ contents: "", loader: "js" }));
    b.onLoad({ filter: /.*/, namespace: "empty-font" }, () => ({ contents: "", loader: "dataurl" }));
  },
};

export function widgetsBundle(here, common, plugins) {
  return {
    ...common,
    entryPoints: { "frame-widgets": resolve(here, "src/frame/widgets/bundle.ts") },
    format: "iife",
    // webpack-era code in html-manager reads this global.
    banner: { js: 'var __webpack_public_path__ = "";' },
    // Fonts inlined: font loads from an opaque origin would need CORS.
    loader: {
      ".woff2": "dataurl",
      ".woff": "empty",
      ".ttf": "empty",
      ".eot": "empty",
      ".svg": "empty",
    },
    plugins: [noIpywidgets7, ...plugins],
  };
}
