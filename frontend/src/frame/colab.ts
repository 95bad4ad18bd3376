// window.google.colab in the frame (docs/colab-protocol.md §2-4). Everything that needs
// the kernel goes through the page, which acts only for this frame's own cell.
import { getActiveOutputArea, getDefaultOutputArea, setActiveOutputArea } from "./areas";
import { frameBridge } from "./bridge";
import { openComm } from "./comms";

export interface InvokeResult {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

export function installColab(live: boolean): void {
  const kernel = {
    accessAllowed: live,
    invokeFunction(name: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) {
      return frameBridge.call("invoke", {
        name: String(name),
        args: args ?? [],
        kwargs: kwargs ?? {},
      }) as Promise<InvokeResult>;
    },
    comms: { open: openComm },
    proxyPort(port: number, options: { cache?: boolean } = {}) {
      return frameBridge.call("proxy-port", {
        port: Number(port),
        cache: options.cache !== false,
      }) as Promise<string>;
    },
    disconnect() {
      frameBridge.send("disconnect");
    },
  };
  const output = {
    setActiveOutputArea,
    getActiveOutputArea,
    getDefaultOutputArea,
    // The frame sizes itself to its content; these exist for Colab code that calls them.
    setIframeHeight() {},
    resizeIframeToContent() {},
  };
  const files = {
    view(path: string) {
      frameBridge.send("files-view", { path: String(path) });
    },
  };
  const w = window as unknown as { google?: Record<string, unknown> };
  w.google = { ...(w.google ?? {}), colab: { kernel, output, files } };
}
