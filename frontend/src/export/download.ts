// Saving a file from the page: a Blob behind a temporary link with a download name.
type Json = Record<string, unknown>;

export function downloadText(filename: string, text: string, mime: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started from the URL by now; revoke it after this task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** nbformat's own layout (one-space indent, trailing newline), as Jupyter writes files. */
export function ipynbText(content: Json): string {
  return `${JSON.stringify(content, null, 1)}\n`;
}

/** `dir/name.ipynb` → `name.<ext>` */
export function exportName(notebookName: string, ext: string): string {
  const base = notebookName.split("/").pop() ?? "notebook.ipynb";
  return `${base.replace(/\.ipynb$/i, "") || "notebook"}.${ext}`;
}
