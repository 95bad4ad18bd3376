// Placeholder until `colabsrv`'s Secrets (store, panel, permission prompt) lands: every
// secret is reported missing, so userdata.get raises SecretNotFoundError.
export interface SecretAnswer {
  exists: boolean;
  access?: boolean;
  payload?: string;
}

export async function answerGetSecret(notebookId: string, key: string): Promise<SecretAnswer> {
  void notebookId;
  void key;
  return { exists: false };
}
