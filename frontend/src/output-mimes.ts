// Which representation of an output is shown, and whether it is "active" (renders in the
// cell's sandboxed output frame) — shared by the page and the frame so they agree.

/** MIME types that need the output frame. Frame-side plugins (widgets) add theirs. */
const ACTIVE = new Set(["application/javascript", "text/html", "text/latex", "image/svg+xml"]);

/** Representations in order of preference (JupyterLab's order, raster images after SVG).
 * Markdown is not active: the page renders it sanitised (views/markdown-output.ts). */
const ORDER = [
  "application/javascript",
  "text/html",
  "text/markdown",
  "text/latex",
  "image/svg+xml",
  "image/png",
  "image/jpeg",
  "image/gif",
  "text/plain",
];

// Added by plugins: preferred over the built-in ones, newest first.
const extra: string[] = [];

/** Makes `mime` an active type preferred over the built-in ones (e.g. widget views). */
export function addActiveMime(mime: string): void {
  if (!extra.includes(mime)) extra.unshift(mime);
  ACTIVE.add(mime);
}

export function preferredMime(data: Record<string, unknown> | undefined): string | null {
  if (!data) return null;
  for (const mime of extra) if (mime in data) return mime;
  for (const mime of ORDER) if (mime in data) return mime;
  return null;
}

/** An output that renders in the frame: display data whose preferred type is active. */
export function isActive(out: { output_type: string; [k: string]: unknown }): boolean {
  if (out.output_type !== "display_data" && out.output_type !== "execute_result") return false;
  const mime = preferredMime(out["data"] as Record<string, unknown> | undefined);
  return mime !== null && ACTIVE.has(mime);
}

export function joinText(value: unknown): string {
  return Array.isArray(value) ? value.join("") : String(value ?? "");
}
