// The frame's widget bundle (its own file, loaded on the first widget view): html-manager
// with the ipywidgets 8 base/controls/output modules and their CSS.
import "@fortawesome/fontawesome-free/css/all.min.css";
import "@fortawesome/fontawesome-free/css/v4-shims.min.css";
// Lumino's own rules (hidden tab and accordion panes, among others).
import "@lumino/widgets/style/index.css";
import "@jupyter-widgets/controls/css/widgets-base.css";
import "@jupyter-widgets/controls/css/labvariables.css";
import "./widgets.css";

import type { Transport } from "./comm";
import { BridgeManager } from "./manager";

export interface WidgetsApi {
  createManager(transport: Transport): BridgeManager;
}

(window as unknown as { cloudbookWidgets: WidgetsApi }).cloudbookWidgets = {
  createManager: (transport) => new BridgeManager(transport),
};
