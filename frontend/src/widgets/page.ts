// Live widgets on the notebook page (docs/widgets.md): the router follows each kernel
// connection, wires every output frame in, and marks the notebook changed.
import { LiveSaver } from "../live/live-saver";
import { OutputAccumulator } from "../model";
import type { NotebookPage } from "../views/notebook";

export function hookWidgets(page: NotebookPage): void {
  const widgets = page.widgets;
  page.session.onKernel((kernel) => widgets.attachKernel(kernel));
  page.frames.wrapHost = (host, view) => widgets.host(host, view.cell.id);
  widgets.onChange = () => page.saver?.changed();
  // A callback's output no Output widget took joins the outputs of the cell it came from.
  // With a live document the service's executor writes it there (the page's message
  // names the cell): the page shows it from the document, once, like every tab.
  widgets.onCallbackOutput = (cellId, msg) => {
    if (page.saver instanceof LiveSaver) return;
    const cell = page.cells?.byId(cellId);
    const view = cell ? page.cells.find(cell) : undefined;
    if (!view) return;
    new OutputAccumulator(view.cell).add(msg);
    view.paint();
    page.saver.changed();
  };
}
