// File menu: "Publish to the web" and Download .html / .pdf (rendered by the service from
// the saved notebook: the page's pending edits are saved first).
import type { Command } from "../commands/registry";
import { type FilePage, registerFileCommands } from "../views/notebook/file-commands";
import { openPublishDialog } from "./publish-dialog";

export const PUBLISH_COMMANDS = ["publish-notebook"];
export const EXPORT_COMMANDS = ["download-html", "download-pdf"];

/** `attachment; filename*=UTF-8''name.pdf` → `name.pdf` */
function fileName(disposition: string | null, fallback: string): string {
  const m = disposition?.match(/filename\*=UTF-8''([^;]+)/i);
  return m?.[1] ? decodeURIComponent(m[1]) : fallback;
}

function download(p: FilePage, kind: "html" | "pdf"): () => Promise<void> {
  return async () => {
    try {
      await p.flush();
    } catch {
      p.tell("Could not save first: the download has the last saved version.");
    }
    if (kind === "pdf") p.tell("Preparing the PDF…");
    let response: Response;
    try {
      response = await fetch(`/api/notebooks/${encodeURIComponent(p.id)}/export/${kind}`, {
        credentials: "same-origin",
      });
    } catch {
      p.tell("Could not reach the server.");
      return;
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
      p.tell(body?.error?.message ?? `The ${kind.toUpperCase()} could not be made.`);
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = fileName(response.headers.get("content-disposition"), `notebook.${kind}`);
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 0);
    if (kind === "pdf") p.tell("PDF downloaded.");
  };
}

export function publishCommands(p: FilePage): Command[] {
  return [
    {
      id: "publish-notebook",
      label: "Publish to the web",
      group: "File",
      run: () => void openPublishDialog(p.id, () => p.flush()),
    },
    { id: "download-html", label: "Download .html", group: "File", run: download(p, "html") },
    { id: "download-pdf", label: "Download .pdf", group: "File", run: download(p, "pdf") },
  ];
}

registerFileCommands(publishCommands);
