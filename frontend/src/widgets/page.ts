// Live widgets on the notebook page (docs/widgets.md): the router follows each kernel
// connection, wires every output frame in, and marks the notebook changed.
import { OutputAccumulator } from "../model";
import type { NotebookPage } from "../views/notebook";

export function hookWidgets(page: NotebookPage): void {
  const widgets = page.widgets;
  page.session.onKernel((kernel) => widgets.attachKernel(kernel));
  page.frames.wrapHost = (host, view) => widgets.host(host, view.cell.id);
  widgets.onChange = () => page.saver?.changed();
  // A callback's output no Output widget took joins the outputs of the cell it came from.
  // When the service runs the cells its executor writes it into the live document (the
  // page's message names the cell): the page shows it from there, once, like every tab.
  widgets.onCallbackOutput = (cellId, msg) => {
    if (page.serviceRunsCells()) return;
    const cell = page.cells?.byId(cellId);
    const view = cell ? page.cells.find(cell) : undefined;
    if (!view) return;
    new OutputAccumulator(view.cell).add(msg);
    view.paint();
    page.saver.changed();
  };
}
