// Uploading several .ipynb files with a progress panel (bottom right, as in Drive).
import type { NotebookOut } from "../../api-types";
import { h } from "../dom";
import { uploadNotebook } from "./drive-api";

const PARALLEL = 3;

export interface UploadResult {
  file: string;
  notebook?: NotebookOut;
  error?: string;
}

let panel: HTMLElement | null = null;

function progressPanel(): HTMLElement {
  if (panel?.isConnected) return panel;
  const close = h("button", { type: "button", "aria-label": "Close uploads", class: "icon-button" }, "×");
  const list = h("ul", { class: "upload-list" });
  panel = h(
    "section",
    { class: "upload-panel", "aria-label": "Uploads", "data-testid": "upload-panel" },
    h("header", {}, h("span", { class: "upload-title" }, "Uploads"), close),
    list,
  );
  close.addEventListener("click", () => panel?.remove());
  document.body.append(panel);
  return panel;
}

/** Uploads `files` into `folder`; every file gets a row with a progress bar and its result. */
export async function uploadFiles(files: File[], folder: string): Promise<UploadResult[]> {
  const box = progressPanel();
  const list = box.querySelector("ul")!;
  const title = box.querySelector(".upload-title")!;
  const rows = files.map((file) => {
    const bar = h("progress", { max: "1", value: "0", "aria-label": `Uploading ${file.name}` });
    const state = h("span", { class: "upload-state" }, "Waiting");
    const row = h("li", { "data-testid": "upload-row" }, h("span", { class: "upload-name" }, file.name), bar, state);
    list.append(row);
    return { file, bar, state, row };
  });
  title.textContent = `Uploading ${files.length} file${files.length === 1 ? "" : "s"}`;
  const results: UploadResult[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const i = next++;
      const { file, bar, state, row } = rows[i]!;
      state.textContent = "Uploading";
      try {
        if (!file.name.toLowerCase().endsWith(".ipynb")) {
          throw new Error(`${file.name} is not an .ipynb file.`);
        }
        const nb = await uploadNotebook(file, folder, (f) => (bar.value = f));
        bar.value = 1;
        state.textContent = nb.name.endsWith(`/${file.name}`) || nb.name === file.name
          ? "Done"
          : `Done, as ${nb.name.slice(nb.name.lastIndexOf("/") + 1)}`;
        row.classList.add("done");
        results[i] = { file: file.name, notebook: nb };
      } catch (e) {
        const message = e instanceof Error ? e.message : "Upload failed.";
        state.textContent = message;
        row.classList.add("failed");
        results[i] = { file: file.name, error: message };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, rows.length) }, worker));
  // The panel keeps earlier batches: the title counts every row in it.
  const all = list.children.length;
  const failed = list.querySelectorAll("li.failed").length;
  const pending = all - failed - list.querySelectorAll("li.done").length;
  if (!pending) {
    title.textContent = failed
      ? `${all - failed} uploaded, ${failed} failed`
      : `${all} upload${all === 1 ? "" : "s"} complete`;
  }
  return results;
}

/** Opens the browser's file picker for .ipynb files. */
export function pickNotebookFiles(): Promise<File[]> {
  return new Promise((resolve) => {
    const input = h("input", { type: "file", accept: ".ipynb,application/x-ipynb+json", multiple: true, hidden: true });
    input.addEventListener("change", () => {
      resolve([...(input.files ?? [])]);
      input.remove();
    });
    document.body.append(input);
    input.click();
  });
}
