// Colab's per-cell run record, kept in `metadata.executionInfo` exactly as Colab writes
// it ({elapsed ms, status, timestamp ms of the finish, user_tz minutes, user}), so
// notebooks keep the tick and "completed at" across reloads and between the two apps.

export interface ExecutionInfo {
  elapsed: number;
  status: "ok" | "error";
  timestamp: number;
  user_tz: number;
  user?: { displayName: string; userId: string };
}

export function makeExecutionInfo(
  started: number,
  finished: number,
  ok: boolean,
  user?: { name: string; id: number | string },
): ExecutionInfo {
  const info: ExecutionInfo = {
    elapsed: Math.max(0, Math.round(finished - started)),
    status: ok ? "ok" : "error",
    timestamp: Math.round(finished),
    user_tz: new Date(finished).getTimezoneOffset(),
  };
  if (user) info.user = { displayName: user.name, userId: String(user.id) };
  return info;
}

/** The record in a cell's metadata, or null when missing or malformed. */
export function readExecutionInfo(metadata: Record<string, unknown>): ExecutionInfo | null {
  const raw = metadata["executionInfo"];
  if (!raw || typeof raw !== "object") return null;
  const r = raw as Record<string, unknown>;
  if (typeof r["elapsed"] !== "number" || typeof r["timestamp"] !== "number") return null;
  return r as unknown as ExecutionInfo;
}

/** "0s", "42s", "3m 5s", "1h 2m": whole seconds, as Colab's gutter shows them. */
export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** The tooltip: when it finished, how long it took, and who ran it. */
export function describeExecution(info: ExecutionInfo, locale?: string): string {
  const at = new Date(info.timestamp).toLocaleTimeString(locale, {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  const verb = info.status === "ok" ? "completed" : "failed";
  const who = info.user?.displayName ? `executed by ${info.user.displayName}\n` : "";
  return `${who}${verb} at ${at}\ntook ${(info.elapsed / 1000).toFixed(2)}s`;
}
