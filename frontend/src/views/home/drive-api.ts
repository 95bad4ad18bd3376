// The drive's REST calls used by the home page and the notebook page's File menu.
import { api, ApiError, cookie } from "../../api";
import type {
  FolderList,
  NotebookList,
  NotebookOut,
  Restored,
  TrashList,
} from "../../api-types";

export const driveApi = {
  list: (params: { folder?: string; q?: string } = {}) => {
    const p = new URLSearchParams();
    if (params.folder !== undefined) p.set("folder", params.folder);
    if (params.q) p.set("q", params.q);
    const qs = p.toString();
    return api<NotebookList>("GET", `/api/notebooks${qs ? `?${qs}` : ""}`);
  },
  folders: () => api<FolderList>("GET", "/api/folders"),
  createNotebook: (name: string) =>
    api<NotebookOut>("POST", "/api/notebooks", { name, if_exists: "rename" }),
  rename: (id: string, name: string) =>
    api<NotebookOut>("PATCH", `/api/notebooks/${encodeURIComponent(id)}`, { name }),
  duplicate: (id: string) =>
    api<NotebookOut>("POST", `/api/notebooks/${encodeURIComponent(id)}/duplicate`, {}),
  trashNotebook: (id: string) => api<void>("DELETE", `/api/notebooks/${encodeURIComponent(id)}`),
  createFolder: (path: string) => api<{ path: string }>("POST", "/api/folders", { path }),
  moveFolder: (path: string, newPath: string) =>
    api<{ path: string }>("PATCH", "/api/folders", { path, new_path: newPath }),
  trashFolder: (path: string) =>
    api<void>("DELETE", `/api/folders?path=${encodeURIComponent(path)}`),
  trash: () => api<TrashList>("GET", "/api/trash"),
  restore: (id: string) => api<Restored>("POST", `/api/trash/${encodeURIComponent(id)}/restore`),
  deleteForever: (id: string) => api<void>("DELETE", `/api/trash/${encodeURIComponent(id)}`),
  emptyTrash: () => api<{ deleted: number }>("DELETE", "/api/trash"),
  fileUrl: (id: string) => `/api/notebooks/${encodeURIComponent(id)}/file`,
};

/** Uploads one .ipynb (its text) into `folder`, reporting progress 0..1; a taken name
 * becomes "name (1).ipynb". XHR, because fetch reports no upload progress. */
export function uploadNotebook(
  file: File,
  folder: string,
  onProgress: (fraction: number) => void,
): Promise<NotebookOut> {
  return file.text().then(
    (text) =>
      new Promise<NotebookOut>((resolve, reject) => {
        let upload: unknown;
        try {
          upload = JSON.parse(text);
        } catch {
          reject(new ApiError(400, "invalid_json", `${file.name} is not a notebook (not JSON).`));
          return;
        }
        const name = folder ? `${folder}/${file.name}` : file.name;
        const xhr = new XMLHttpRequest();
        xhr.open("POST", "/api/notebooks/import");
        xhr.setRequestHeader("Content-Type", "application/json");
        xhr.setRequestHeader("Accept", "application/json");
        const xsrf = cookie("cloudbook_xsrf");
        if (xsrf) xhr.setRequestHeader("X-XSRF-Token", xsrf);
        xhr.upload.onprogress = (e) => {
          if (e.lengthComputable) onProgress(e.loaded / e.total);
        };
        xhr.onerror = () => reject(new ApiError(0, "network_error", "Could not reach the server."));
        xhr.onload = () => {
          let data: unknown = null;
          try {
            data = JSON.parse(xhr.responseText);
          } catch {
            data = null;
          }
          if (xhr.status === 201) {
            onProgress(1);
            resolve(data as NotebookOut);
            return;
          }
          const err = (data as { error?: { code?: string; message?: string } } | null)?.error;
          reject(new ApiError(xhr.status, err?.code ?? "http_error", err?.message ?? xhr.statusText));
        };
        xhr.send(JSON.stringify({ upload, name, if_exists: "rename" }));
      }),
  );
}
