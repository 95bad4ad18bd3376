// An execution on behalf of a cell's outputs (google.colab.kernel.invokeFunction): it
// leaves the execution counter and the cell's existing outputs alone; its streams,
// displays and errors join the cell's outputs, and its execute_result is the value.
// With a live document the service writes those outputs (the request names the cell),
// so the page must not add them as well (`draw` false).
import type { ExecuteOutcome } from "../colab/frame-services";
import type { KernelClient } from "../kernel";
import { type Cell, OutputAccumulator } from "../model";
import type { KernelMessage } from "../wire";

export async function runForOutputs(
  kernel: KernelClient,
  cell: Cell,
  code: string,
  onOutput: () => void,
  onRequest: (msg: KernelMessage) => void,
  draw = true,
): Promise<ExecuteOutcome> {
  const acc = new OutputAccumulator(cell);
  let result: Record<string, unknown> | null = null;
  const reply = await kernel.execute(
    code,
    {
      onIopub: (msg) => {
        const type = msg.header.msg_type;
        if (type === "execute_result") result = msg.content;
        else if (type === "colab_request") onRequest(msg);
        else if (type !== "execute_input" && draw) {
          acc.add(msg);
          onOutput();
        }
      },
      onInput: async (prompt) => window.prompt(prompt) ?? "",
      cellId: cell.id, // its Colab requests belong to the invoking cell
      markCell: !draw,
    },
    { storeHistory: false, stopOnError: false, allowStdin: true },
  );
  return { reply, result };
}
