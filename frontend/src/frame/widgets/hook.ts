// Frame side of live widgets, in the frame bundle: renders widget-view outputs by loading
// the widget bundle (html-manager and controls, ~1 MB) the first time one appears.
import { VIEW_MIME, WIDGET_KINDS } from "../../widgets/protocol";
import type { Transport } from "./comm";
import type { BridgeManager } from "./manager";

type Register = (
  mime: string,
  render: (data: unknown, metadata: Record<string, unknown>, el: HTMLElement) => Promise<void>,
) => void;

interface WidgetsApi {
  createManager(transport: Transport): BridgeManager;
}

let manager: Promise<BridgeManager> | null = null;

/** Where the widget bundle is: the page knows (the names carry content hashes). */
function assets(transport: Transport): Promise<{ js: string; css: string }> {
  return new Promise((resolve, reject) => {
    // A frame the page never wired in would otherwise wait forever, blank.
    const timer = setTimeout(() => reject(new Error("the page did not answer")), 20_000);
    const off = transport.on(WIDGET_KINDS.assets, (msg) => {
      off();
      clearTimeout(timer);
      resolve({ js: String(msg["js"] ?? ""), css: String(msg["css"] ?? "") });
    });
    transport.send(WIDGET_KINDS.assets, {});
  });
}

function loadBundle(
  files: { js: string; css: string },
  transport: Transport,
): Promise<BridgeManager> {
  return new Promise<BridgeManager>((resolve, reject) => {
    const api = () => (window as unknown as { cloudbookWidgets?: WidgetsApi }).cloudbookWidgets;
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = files.css;
    const script = document.createElement("script");
    script.src = files.js;
    script.onload = () => {
      const widgets = api();
      if (widgets) resolve(widgets.createManager(transport));
      else reject(new Error("the widget bundle did not load"));
    };
    script.onerror = () => reject(new Error("the widget bundle could not be loaded"));
    document.head.append(link, script);
  });
}

function load(transport: Transport): Promise<BridgeManager> {
  if (!manager) {
    manager = assets(transport).then((files) => loadBundle(files, transport));
    manager.catch(() => (manager = null)); // the next widget tries again
  }
  return manager;
}

export function installWidgets(transport: Transport, register: Register): void {
  register(VIEW_MIME, async (data, _metadata, el) => {
    try {
      const m = await load(transport);
      await m.render((data ?? {}) as { model_id?: unknown }, el);
    } catch (e) {
      const note = document.createElement("pre");
      note.className = "output-error-text";
      note.textContent = `Could not show the widget: ${String(e)}`;
      el.append(note);
    }
  });
}
