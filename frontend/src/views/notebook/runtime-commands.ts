// Runtime menu entries for runtime types and other runtimes (views/runtime-dialogs.ts).
import { ApiError } from "../../api";
import type { Command } from "../../commands/registry";
import type { NotebookPage } from "../notebook";
import {
  askNoGpu,
  openLocalRuntimeDialog,
  openRuntimeTypeDialog,
  openRuntimeUrlDialog,
  withRuntimeType,
} from "../runtime-dialogs";

export const RUNTIME_TYPE_COMMANDS = ["change-runtime-type", "connect-local", "connect-url"];

export function runtimeTypeCommands(p: NotebookPage, notebookPath: string): Command[] {
  p.session.onNoGpu = askNoGpu;
  const changeType = () =>
    openRuntimeTypeDialog({
      notebookPath,
      flush: () => p.saver.flush().then(() => p.saver.savedRevision),
      applied: (t) => {
        const meta = (p.nb.rest["metadata"] ?? {}) as Record<string, unknown>;
        p.nb.rest["metadata"] = withRuntimeType(meta, t);
        p.saver.adopt(t.revision, p.saver.snapshot());
        if (t.disconnected) {
          p.session.reset("The runtime type changed.");
          p.banner.show("Runtime type changed. Running a cell connects the new runtime.", "runtime");
        }
      },
    }).catch((e: unknown) =>
      p.banner.show(e instanceof ApiError ? e.message : "Could not load runtime types.", "runtime"),
    );
  const group = "Runtime";
  return [
    { id: "change-runtime-type", label: "Change runtime type", group, run: () => void changeType() },
    { id: "connect-local", label: "Connect to a local runtime", group, run: () => openLocalRuntimeDialog(p.session) },
    { id: "connect-url", label: "Connect to a runtime by URL", group, run: () => openRuntimeUrlDialog(p.session, notebookPath) },
  ];
}
