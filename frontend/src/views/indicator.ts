/** What the connection badge shows; `data-state` carries the machine-readable value. */
export type Indicator =
  | "disconnected"
  | "connecting"
  | "reconnecting"
  | "idle"
  | "busy"
  | "restarting"
  | "dead";
export const INDICATOR_TEXT: Record<Indicator, string> = {
  disconnected: "Connect", // the badge is then the button that connects
  connecting: "Connecting…",
  reconnecting: "Reconnecting…",
  idle: "Connected",
  busy: "Busy",
  restarting: "Restarting…",
  dead: "Kernel died",
};
