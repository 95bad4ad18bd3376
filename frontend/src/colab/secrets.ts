// The page's answer to a kernel's GetSecret (userdata.get): the viewer's own secret, read
// from the service only once the viewer granted this notebook access (asked as Colab
// asks, "Grant access to KEY?", and remembered per notebook by the service). The value
// goes straight into the reply: it is never logged, rendered or stored in the notebook.
import { api, ApiError } from "../api";
import type { SecretValue } from "../api-types";
import { askGrant } from "./secret-prompt";

export interface SecretAnswer {
  exists: boolean;
  access?: boolean;
  payload?: string;
}

/** Fired on window after a grant changes here, so the Secrets panel can refresh. */
export const SECRETS_CHANGED = "cloudbook:secrets-changed";

const path = (notebookId: string, key: string, rest = "") =>
  `/api/notebooks/${encodeURIComponent(notebookId)}/secrets/${encodeURIComponent(key)}${rest}`;

async function read(notebookId: string, key: string): Promise<SecretValue> {
  try {
    return await api<SecretValue>("GET", path(notebookId, key));
  } catch (err) {
    // A name no secret can have: as missing (userdata raises SecretNotFoundError).
    if (err instanceof ApiError && err.code === "invalid_secret_name") return { exists: false };
    throw err;
  }
}

function answer(value: SecretValue): SecretAnswer {
  if (!value.exists) return { exists: false };
  if (!value.access) return { exists: true, access: false };
  return { exists: true, access: true, payload: value.payload ?? "" };
}

export async function answerGetSecret(notebookId: string, key: string): Promise<SecretAnswer> {
  const first = await read(notebookId, key);
  if (!first.exists || first.access) return answer(first);
  if (!(await askGrant(key))) return { exists: true, access: false };
  await api("PUT", path(notebookId, key, "/access"), { granted: true });
  window.dispatchEvent(new CustomEvent(SECRETS_CHANGED));
  return answer(await read(notebookId, key));
}
