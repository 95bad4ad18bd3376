// Output widgets (`with out:`): the kernel sets the widget's msg_id, and iopub outputs
// whose parent is that message go into the widget's `outputs` instead of the cell, as
// JupyterLab's output widget does. Pure apart from the message shapes.
import { type Cell, type Output, OutputAccumulator } from "../model";
import type { KernelMessage } from "../wire";

const OUTPUT_TYPES = new Set([
  "stream",
  "display_data",
  "execute_result",
  "error",
  "clear_output",
  "update_display_data",
]);

export function isOutputMessage(msg: KernelMessage): boolean {
  return msg.channel === "iopub" && OUTPUT_TYPES.has(msg.header.msg_type);
}

interface Capture {
  cell: Cell;
  acc: OutputAccumulator;
  /** The outputs array last written to the model, to notice changes made elsewhere. */
  written: unknown;
}

function clean(outputs: Output[]): Output[] {
  return outputs.map(({ _display_id, ...o }) => ({ ...o }) as Output);
}

/** Keeps, per Output model, the accumulator (a pending clear_output(wait=True) survives
 * between messages) and the display ids that update_display_data needs. */
export class OutputCaptures {
  private byModel = new Map<string, Capture>();

  /** Applies `msg` to the current outputs and returns the new `outputs` value. */
  apply(modelId: string, current: unknown, msg: KernelMessage): Output[] {
    let c = this.byModel.get(modelId);
    if (!c || c.written !== current) {
      const cell: Cell = {
        id: modelId,
        cell_type: "code",
        source: "",
        metadata: {},
        execution_count: null,
        extra: {},
        outputs: Array.isArray(current) ? (structuredClone(current) as Output[]) : [],
      };
      c = { cell, acc: new OutputAccumulator(cell), written: null };
      this.byModel.set(modelId, c);
    }
    c.acc.add(msg);
    const next = clean(c.cell.outputs);
    c.written = next;
    return next;
  }

  forget(modelId: string): void {
    this.byModel.delete(modelId);
  }
}
