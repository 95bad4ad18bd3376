// Minimal Colab request dispatcher (docs/colab-protocol.md §1): answers
// cell_javascript_eval from the cell's output frame. The `colabui` dispatcher replaces
// this one (GetSecret, stdin box, unassign_runtime).
import type { KernelClient } from "../kernel";
import { type KernelMessage, makeMessage } from "../wire";
import type { OutputFrame } from "../views/output-frame";

export interface RequestContext {
  kernel: KernelClient;
  /** The cell's output frame, created if it has none. */
  frame(): OutputFrame;
}

function reply(kernel: KernelClient, request: KernelMessage, body: Record<string, unknown>): void {
  const id = request.metadata["colab_msg_id"];
  const msg = makeMessage(
    "input_reply",
    { value: { type: "colab_reply", colab_msg_id: id, ...body } },
    kernel.session,
    "stdin",
  );
  msg.parent_header = request.parent_header;
  kernel.sendMessage(msg);
}

export function handleColabRequest(msg: KernelMessage, ctx: RequestContext): void {
  const type = msg.metadata["colab_request_type"];
  const request = (msg.content["request"] ?? {}) as Record<string, unknown>;
  if (type === "cell_javascript_eval") {
    ctx
      .frame()
      .evalScript(String(request["script"] ?? ""))
      .then(
        (data) => reply(ctx.kernel, msg, { data: data ?? null }),
        (error: unknown) => reply(ctx.kernel, msg, { error: String(error) }),
      );
  }
}
