// The one switch over the Colab requests that expect an answer (docs/colab-protocol.md §1),
// used by both ways a request reaches the page: on its own kernel socket (requests.ts,
// which sends the answer as an input_reply) and through the live document for cells the
// service runs (live/service-runs.ts, which posts it to the service). Each path keeps
// only what is its own: how the answer travels, and the shell stdin box (page socket only).
import { answerAuth } from "./google-auth";
import { answerGetSecret } from "./secrets";

/** What the kernel gets back: `data`, or `error` (a message it raises). */
export type ColabOutcome = { data: unknown } | { error: string };

/** What answering needs of the cell that asked. */
export interface AnswerContext {
  notebookId: string;
  /** Evaluates a script in the cell's output frame. */
  evalScript(script: string): Promise<unknown>;
  /** runtime.unassign(): the answer goes at once; this deletes the runtime once the
   * cell has ended (how to tell differs per path). */
  unassign(): void;
}

/** Colab's shell stdin box: requests that expect no answer (the page's socket shows it). */
export const SHELL_STDIN_TYPES: ReadonlySet<string> = new Set([
  "cell_display_stdin",
  "cell_update_stdin",
  "cell_remove_stdin",
]);

export function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  if (err && typeof err === "object" && "message" in err) return String(err.message);
  return String(err);
}

/** The answer to one request (never rejects: a failure is an `error` answer). */
export async function answerColabRequest(
  type: string,
  body: Record<string, unknown>,
  context: AnswerContext,
): Promise<ColabOutcome> {
  try {
    switch (type) {
      case "cell_javascript_eval":
        return { data: (await context.evalScript(String(body["script"] ?? ""))) ?? null };
      case "GetSecret":
        return { data: await answerGetSecret(context.notebookId, String(body["key"] ?? "")) };
      case "request_auth":
        return { data: await answerAuth(context.notebookId) };
      case "unassign_runtime":
        context.unassign();
        return { data: null };
      default:
        return { error: `Unsupported Colab request: ${type}` };
    }
  } catch (err) {
    return { error: errorText(err) };
  }
}
