// The page's answer to a kernel's `request_auth` (auth.authenticate_user(), docs/bigquery.md):
// after the viewer allows it, the viewer's own stored Google credentials (never the
// notebook owner's) go straight into the reply. They are never logged, rendered or stored
// in the notebook.
import { api } from "../api";
import type { KernelCredential } from "../api-types";
import { askGoogleAuth } from "./secret-prompt";

export const AUTH_DENIED = "The user did not permit this notebook to access their Google credentials.";

export async function answerAuth(notebookId: string): Promise<KernelCredential> {
  if (!(await askGoogleAuth())) throw new Error(AUTH_DENIED);
  return api<KernelCredential>(
    "POST",
    `/api/notebooks/${encodeURIComponent(notebookId)}/credentials/google`,
  );
}
