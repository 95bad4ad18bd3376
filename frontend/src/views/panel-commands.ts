// Commands that open the side panels, for the menus and the command palette
// (Colab: View → Table of contents, File → Revision history, the Files icon).
import type { Command } from "../commands/registry";
import type { Sidebar } from "./sidebar";

/** For the View menu; the revision history goes in the File menu, as in Colab. */
export const VIEW_COMMANDS = ["show-toc", "show-files"];
export const REVISIONS_COMMAND = "show-revisions";

export function panelCommands(sidebar: Sidebar): Command[] {
  const open = (id: string, label: string, panel: string): Command => ({
    id,
    label,
    group: "View",
    run: () => sidebar.show(panel),
    enabled: () => sidebar.has(panel),
  });
  return [
    open("show-toc", "Table of contents", "toc"),
    open("show-files", "Files", "files"),
    open("show-revisions", "Revision history", "revisions"),
  ];
}
