// Fetch wrapper: JSON in and out, the XSRF header on unsafe requests, errors as ApiError.
export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ApiOptions {
  /** Let the request outlive the page (for the last save on leaving); the browser
   * allows this only for small bodies, so larger ones go as ordinary requests. */
  keepalive?: boolean;
}

const KEEPALIVE_LIMIT = 60_000;

export function cookie(name: string): string | null {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  options: ApiOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && method !== "HEAD") {
    const xsrf = cookie("cloudbook_xsrf");
    if (xsrf) headers["X-XSRF-Token"] = xsrf;
  }
  const payload = body === undefined ? undefined : JSON.stringify(body);
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: payload,
      keepalive: Boolean(options.keepalive) && (payload?.length ?? 0) < KEEPALIVE_LIMIT,
    });
  } catch {
    throw new ApiError(0, "network_error", "Could not reach the server.");
  }
  if (response.status === 204) return undefined as T;
  let data: unknown = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const err = (data as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    throw new ApiError(
      response.status,
      typeof err?.code === "string" ? err.code : "http_error",
      typeof err?.message === "string" ? err.message : `${response.status} ${response.statusText}`,
    );
  }
  return data as T;
}
