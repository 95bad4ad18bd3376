// The Runtime menu's dialogs, as in Colab: "Change runtime type" (accelerator and
// shape, stored in the notebook's metadata by PATCH /runtime-type), "Connect to a local
// runtime" (the browser talks to the user's Jupyter server directly), "Connect to a
// runtime by URL" (the service connects, if its operator allows), and the question
// asked when no GPU is free.
import "./palette.css";
import "./runtime-dialogs.css";

import { api, ApiError } from "../api";
import type { RuntimeTypeOut, RuntimeTypesOut, SessionOut } from "../api-types";
import { h } from "./dom";
import { Modal } from "./modal";
import {
  DirectRuntime,
  DirectRuntimeError,
  parseServerUrl,
  serverCommand,
} from "./notebook/direct-runtime";
import type { KernelSession, NoGpuChoice } from "./notebook/kernel-session";

function frame(label: string, testid: string): { modal: Modal; body: HTMLElement } {
  const modal = new Modal(label, "runtime-dialog");
  modal.box.dataset["testid"] = testid;
  modal.box.append(h("h2", {}, label));
  return { modal, body: modal.box };
}

function buttons(...items: HTMLButtonElement[]): HTMLElement {
  return h("div", { class: "rt-buttons" }, ...items);
}

function button(label: string, testid: string, primary = false): HTMLButtonElement {
  return h("button", { type: "button", "data-testid": testid, class: primary ? "rt-primary" : "" }, label);
}

function errorLine(): HTMLElement {
  return h("p", { class: "rt-error", role: "alert", "data-testid": "runtime-dialog-error" });
}

function message(e: unknown, fallback: string): string {
  return e instanceof ApiError || e instanceof DirectRuntimeError ? e.message : fallback;
}

export interface TypeDialogHooks {
  notebookPath: string;
  /** Saves pending edits first, so the type's revision lands on top of them. */
  flush(): Promise<number>;
  /** The type was stored (new revision); the page updates its copy. */
  applied(t: RuntimeTypeOut): void;
}

/** "Change runtime type". */
export async function openRuntimeTypeDialog(hooks: TypeDialogHooks): Promise<void> {
  const [types, current] = await Promise.all([
    api<RuntimeTypesOut>("GET", "/api/runtime-types"),
    api<RuntimeTypeOut>("GET", `${hooks.notebookPath}/runtime-type`),
  ]);
  const { modal, body } = frame("Change runtime type", "runtime-type-dialog");
  const radio = (name: string, value: string, checked: boolean, disabled = false) =>
    h("input", { type: "radio", name, value, checked, disabled, "data-testid": `${name}-${value}` });
  const hasGpus = types.gpus.length > 0;
  const none = radio("accelerator", "none", current.accelerator === "none");
  const gpu = radio("accelerator", "gpu", current.accelerator === "gpu", !hasGpus);
  const gpuType = h("select", { "data-testid": "gpu-type", "aria-label": "GPU type" });
  gpuType.append(h("option", { value: "" }, "Any free GPU"));
  for (const g of types.gpus) {
    const option = h("option", { value: g.type }, `${g.type} (${g.free} of ${g.total} free)`);
    option.selected = g.type === current.gpu_type;
    gpuType.append(option);
  }
  const standard = radio("shape", "standard", current.shape === "standard");
  const highmem = radio("shape", "highmem", current.shape === "highmem");
  const paintGpu = () => (gpuType.disabled = !gpu.checked);
  none.addEventListener("change", paintGpu);
  gpu.addEventListener("change", paintGpu);
  paintGpu();
  const error = errorLine();
  const cancel = button("Cancel", "runtime-type-cancel");
  const save = button("Save", "runtime-type-save", true);
  body.append(
    h("h3", {}, "Hardware accelerator"),
    h(
      "div",
      { class: "rt-choices" },
      h("label", {}, none, "None"),
      h("label", {}, gpu, "GPU"),
      gpuType,
    ),
    hasGpus ? "" : h("p", { class: "rt-note" }, "This service has no GPUs."),
    h("h3", {}, "Runtime shape"),
    h("div", { class: "rt-choices" }, h("label", {}, standard, "Standard"), h("label", {}, highmem, "High-RAM")),
    error,
    buttons(cancel, save),
  );
  cancel.addEventListener("click", () => modal.close());
  save.addEventListener("click", async () => {
    save.disabled = true;
    error.textContent = "";
    try {
      await hooks.flush();
      const out = await api<RuntimeTypeOut>("PATCH", `${hooks.notebookPath}/runtime-type`, {
        accelerator: gpu.checked ? "gpu" : "none",
        gpu_type: gpu.checked && gpuType.value ? gpuType.value : null,
        shape: highmem.checked ? "highmem" : "standard",
      });
      hooks.applied(out);
      modal.close();
    } catch (e) {
      error.textContent = message(e, "Could not change the runtime type.");
      save.disabled = false;
    }
  });
  (current.accelerator === "gpu" ? gpu : none).focus();
}

/** "Connect to a local runtime": the page connects to the user's server itself. */
export function openLocalRuntimeDialog(session: KernelSession): void {
  const { modal, body } = frame("Connect to a local runtime", "local-runtime-dialog");
  const input = h("input", {
    type: "text",
    placeholder: "http://localhost:8888/?token=…",
    "aria-label": "Backend URL",
    "data-testid": "local-runtime-url",
    spellcheck: "false",
    autocomplete: "off",
  });
  const error = errorLine();
  const cancel = button("Cancel", "local-runtime-cancel");
  const connect = button("Connect", "local-runtime-connect", true);
  body.append(
    h("p", {}, "Start a Jupyter server on your computer that allows this page:"),
    h("pre", { "data-testid": "local-runtime-command" }, `pip install jupyter_server cloudbook-colab\n${serverCommand()}`),
    h("p", {}, "Then paste the URL it printed, with its token:"),
    input,
    error,
    buttons(cancel, connect),
  );
  const go = async () => {
    error.textContent = "";
    connect.disabled = true;
    try {
      await session.connectDirect(new DirectRuntime(parseServerUrl(input.value)));
      modal.close();
    } catch (e) {
      error.textContent = message(e, "Could not connect to the local runtime.");
      connect.disabled = false;
    }
  };
  cancel.addEventListener("click", () => modal.close());
  connect.addEventListener("click", () => void go());
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") void go();
  });
  input.focus();
}

/** "Connect to a runtime by URL": a server the service reaches (operator's allowlist). */
export function openRuntimeUrlDialog(session: KernelSession, notebookPath: string): void {
  const { modal, body } = frame("Connect to a runtime by URL", "runtime-url-dialog");
  const url = h("input", {
    type: "text",
    placeholder: "http://jupyter.internal:8888/",
    "aria-label": "Jupyter server URL",
    "data-testid": "runtime-url",
    spellcheck: "false",
  });
  const token = h("input", {
    type: "password",
    "aria-label": "Token",
    placeholder: "token (or put ?token=… in the URL)",
    "data-testid": "runtime-token",
    autocomplete: "off",
  });
  const error = errorLine();
  const cancel = button("Cancel", "runtime-url-cancel");
  const connect = button("Connect", "runtime-url-connect", true);
  body.append(
    h("p", {}, "The service connects to this Jupyter server for you (it must be reachable from the service and allowed by its operator)."),
    url,
    h("p", {}, ""),
    token,
    error,
    buttons(cancel, connect),
  );
  cancel.addEventListener("click", () => modal.close());
  connect.addEventListener("click", async () => {
    error.textContent = "";
    connect.disabled = true;
    try {
      const s = await api<SessionOut>("POST", `${notebookPath}/session`, {
        attach: { url: url.value, token: token.value || null },
      });
      session.useSession(s);
      modal.close();
    } catch (e) {
      error.textContent = message(e, "Could not connect to that runtime.");
      connect.disabled = false;
    }
  });
  url.focus();
}

/** No GPU free: wait in line, connect without a GPU, or cancel. */
export function askNoGpu(text: string, canWait = true): Promise<NoGpuChoice> {
  return new Promise((resolve) => {
    let choice: NoGpuChoice = null;
    const modal = new Modal("No GPU available", "runtime-dialog", () => resolve(choice));
    modal.box.dataset["testid"] = "no-gpu-dialog";
    const wait = button("Wait for a GPU", "no-gpu-wait", true);
    const cpu = button("Connect without GPU", "no-gpu-cpu");
    const cancel = button("Cancel", "no-gpu-cancel");
    const pick = (c: NoGpuChoice) => () => {
      choice = c;
      modal.close();
    };
    wait.addEventListener("click", pick("wait"));
    cpu.addEventListener("click", pick("cpu"));
    cancel.addEventListener("click", pick(null));
    const choices = canWait ? [cancel, cpu, wait] : [cancel, cpu];
    modal.box.append(h("h2", {}, "No GPU available"), h("p", {}, text), buttons(...choices));
    (canWait ? wait : cpu).focus();
  });
}

/** Colab's metadata keys for a runtime type (mirrors cloudbook/runtimes/runtime_types.py). */
export function withRuntimeType(
  metadata: Record<string, unknown>,
  t: Pick<RuntimeTypeOut, "accelerator" | "gpu_type" | "shape">,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...metadata };
  const found = out["colab"];
  const colab: Record<string, unknown> =
    found && typeof found === "object" ? { ...(found as Record<string, unknown>) } : {};
  if (t.accelerator === "gpu") out["accelerator"] = "GPU";
  else delete out["accelerator"];
  if (t.accelerator === "gpu" && t.gpu_type) colab["gpuType"] = t.gpu_type;
  else delete colab["gpuType"];
  if (t.shape === "highmem") colab["machine_shape"] = "hm";
  else delete colab["machine_shape"];
  if (Object.keys(colab).length) out["colab"] = colab;
  else delete out["colab"];
  return out;
}
