// The output frame of one cell (bundle `frame`, loaded by the srcdoc the page writes).
// It renders the cell's active outputs (and every output after the first of them) in
// order, runs cell_javascript_eval scripts, offers google.colab.*, and reports its height.
import { mountAreas, getActiveOutputArea, resetActiveArea } from "./areas";
import { frameBridge, listenForPort, type FrameMessage } from "./bridge";
import { installColab } from "./colab";
import { listenForComms } from "./comms";
import { katexAssets } from "./latex";
import { appendStream, registerMimeRenderer, renderInto } from "./renderers";
import { FRAME_CSS } from "./style";
import { installWidgets } from "./widgets/hook";

export { frameBridge, registerMimeRenderer };

const outputs = new Map<number, HTMLElement>();
// Outputs render one at a time in message order, so a script sees what earlier outputs
// defined, and an eval runs after every earlier output of the cell has rendered.
let chain: Promise<void> = Promise.resolve();
function inOrder(step: () => void | Promise<void>): void {
  chain = chain.then(step).catch((e: unknown) => console.error(e));
}

function toJson(value: unknown): unknown {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

function evaluate(msg: FrameMessage): void {
  const id = msg["id"];
  const reply = (ok: boolean, result: unknown) =>
    frameBridge.send("eval-result", ok ? { id, ok, value: result } : { id, ok, error: result });
  let value: unknown;
  try {
    value = (0, eval)(String(msg["script"]));
  } catch (e) {
    return reply(false, String(e));
  }
  // Awaited outside the render chain: a file picker may keep it open for minutes.
  Promise.resolve(value).then(
    (v) => {
      try {
        reply(true, toJson(v));
      } catch (e) {
        reply(false, String(e));
      }
    },
    (e: unknown) => reply(false, String(e)),
  );
}

function reportHeight(): void {
  let last = -1;
  const post = () => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== last) frameBridge.send("resize", { height: (last = height) });
  };
  new ResizeObserver(post).observe(document.documentElement);
  post();
}

function start(): void {
  const style = document.createElement("style");
  style.textContent = FRAME_CSS;
  document.head.append(style);
  mountAreas();
  listenForComms();
  installWidgets(frameBridge, registerMimeRenderer);
  frameBridge.on("init", (msg) => {
    const katex = msg["katex"] as { js?: string; css?: string } | undefined;
    katexAssets.js = katex?.js ?? "";
    katexAssets.css = katex?.css ?? "";
    installColab(msg["live"] === true);
  });
  frameBridge.on("output-add", (msg) =>
    inOrder(() => {
      const el = document.createElement("div");
      outputs.set(Number(msg["id"]), el);
      const before = outputs.get(Number(msg["before"]));
      if (before?.parentNode) before.parentNode.insertBefore(el, before);
      else getActiveOutputArea().append(el);
      return renderInto(msg["output"] as Record<string, unknown>, el);
    }),
  );
  frameBridge.on("output-update", (msg) =>
    inOrder(() => {
      const el = outputs.get(Number(msg["id"]));
      if (el) return renderInto(msg["output"] as Record<string, unknown>, el);
    }),
  );
  frameBridge.on("output-append", (msg) =>
    inOrder(() => {
      const el = outputs.get(Number(msg["id"]));
      if (el) appendStream(el, String(msg["text"] ?? ""));
    }),
  );
  frameBridge.on("output-remove", (msg) =>
    inOrder(() => {
      outputs.get(Number(msg["id"]))?.remove();
      outputs.delete(Number(msg["id"]));
    }),
  );
  frameBridge.on("output-clear", () =>
    inOrder(() => {
      for (const el of outputs.values()) el.remove();
      outputs.clear();
      resetActiveArea();
    }),
  );
  frameBridge.on("eval", (msg) => inOrder(() => evaluate(msg)));
  listenForPort();
  reportHeight();
}

// Other frame-side modules (widgets) reach the bridge through this global as well.
(window as unknown as { cloudbook: unknown }).cloudbook = { frameBridge, registerMimeRenderer };
if (document.body) start();
else document.addEventListener("DOMContentLoaded", start, { once: true });
