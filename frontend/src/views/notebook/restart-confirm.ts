// Colab's question before a restart: the kernel's variables go with it.
import { confirmDialog } from "../confirm";

export const RESTART_QUESTION =
  "Are you sure you want to restart the runtime? Runtime state including all local " +
  "variables will be lost.";

export function confirmRestart(): Promise<boolean> {
  return confirmDialog({ title: "Restart runtime?", message: RESTART_QUESTION });
}
