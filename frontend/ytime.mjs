import * as Y from "yjs";
import { YNotebook } from "@jupyter/ydoc";
import { readFileSync } from "fs";
const u = readFileSync("/tmp/liveperf/doc.bin");
for (let i = 0; i < 3; i++) {
  let t = performance.now();
  const ynb = new YNotebook();
  Y.applyUpdate(ynb.ydoc, u);
  const a = performance.now() - t;
  t = performance.now();
  let n = 0; for (const c of ynb.cells) { const j = c.toJSON(); n += JSON.stringify(j).length; }
  console.log("apply+cells", a.toFixed(0), "toJSON all", (performance.now() - t).toFixed(0), ynb.cells.length, n);
}
