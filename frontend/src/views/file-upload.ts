// Uploads a browser File into a runtime's /content in chunks (Jupyter's chunked
// contents API: 1, 2, … then -1), reporting progress by bytes sent. XMLHttpRequest,
// because fetch cannot report upload progress.
import { cookie } from "../api";

export const CHUNK_BYTES = 4 * 1024 * 1024;

export class UploadError extends Error {}

function putChunk(
  url: string,
  body: Blob,
  onProgress: (loaded: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    const xsrf = cookie("cloudbook_xsrf");
    if (xsrf) xhr.setRequestHeader("X-XSRF-Token", xsrf);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve();
      let message = `Upload failed (${xhr.status}).`;
      try {
        const err = (JSON.parse(xhr.responseText) as { error?: { message?: string } }).error;
        if (err?.message) message = err.message;
      } catch {
        // not JSON: keep the status text
      }
      reject(new UploadError(message));
    };
    xhr.onerror = () => reject(new UploadError("Could not reach the server."));
    xhr.onabort = () => reject(new UploadError("Upload cancelled."));
    signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(body);
  });
}

/** Uploads `file` to `path` (under /content); `onProgress` gets a share from 0 to 1. */
export async function uploadFile(
  runtimeId: string,
  path: string,
  file: Blob,
  onProgress: (share: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  const base =
    `/api/runtimes/${encodeURIComponent(runtimeId)}/files/content` +
    `?path=${encodeURIComponent(path)}`;
  const total = file.size;
  const report = (sent: number) => onProgress(total ? Math.min(1, sent / total) : 1);
  if (total <= CHUNK_BYTES) {
    await putChunk(base, file, report, signal);
    return report(total);
  }
  const count = Math.ceil(total / CHUNK_BYTES);
  for (let i = 0; i < count; i++) {
    const start = i * CHUNK_BYTES;
    const number = i === count - 1 ? -1 : i + 1;
    const piece = file.slice(start, Math.min(total, start + CHUNK_BYTES));
    await putChunk(`${base}&chunk=${number}`, piece, (loaded) => report(start + loaded), signal);
  }
  report(total);
}
