// The Output widget in a frame: the page sends its whole `outputs` list on each change;
// html-manager's model would clear and redraw everything (a plot blinks at every print),
// so this one changes only what differs from what it showed last.
import type * as nbformat from "@jupyterlab/nbformat";
import { OutputModel } from "@jupyter-widgets/html-manager/lib/output";

export class BridgeOutputModel extends OutputModel {
  // Not a class field: the base constructor already calls setOutputs.
  declare private applied: string[] | undefined;

  override setOutputs(): void {
    const next = ((this.get("outputs") as nbformat.IOutput[] | undefined) ?? []).map(
      (o) => structuredClone(o),
    );
    const json = next.map((o) => JSON.stringify(o));
    const area = this.outputs;
    const before = this.applied;
    this.applied = json;
    let same = 0;
    if (before) while (same < before.length && before[same] === json[same]) same++;
    // Only appended outputs, or the last one grown (a stream): update in place.
    const inPlace =
      before !== undefined &&
      area.length === before.length &&
      json.length >= before.length &&
      same >= before.length - 1;
    if (inPlace) {
      for (let i = same; i < next.length; i++) {
        if (i < area.length) area.set(i, next[i]!);
        else area.add(next[i]!);
      }
      if (area.length === next.length) return;
    }
    area.clear();
    area.fromJSON(next);
  }
}
