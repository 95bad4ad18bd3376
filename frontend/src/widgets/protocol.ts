// Messages between the page's widget router and the widget manager in an output frame
// (over the frame's port, as {kind, ...payload}). Kernel comms never reach a frame
// directly: the page relays them, keeps the state, and fans updates out to every frame.
import type { BufferPath, ModelSnapshot } from "./store";

export const VIEW_MIME = "application/vnd.jupyter.widget-view+json";
export const STATE_MIME = "application/vnd.jupyter.widget-state+json";

export const WIDGET_KINDS = {
  /** frame -> page: {}; page -> frame: {js, css}: the widget bundle's files. */
  assets: "widgets:assets",
  /** frame -> page: {req, ids}: the models a view needs (and what they refer to). */
  need: "widgets:need",
  /** page -> frame: {req, models: ModelSnapshot[]}. */
  models: "widgets:models",
  /** frame -> page: {comm_id, msg_id, data, metadata, buffers}: a comm_msg to the kernel. */
  send: "widgets:send",
  /** frame -> page: {comm_id, target_name, msg_id, data, metadata, buffers}: a comm_open. */
  open: "widgets:open",
  /** frame -> page: {comm_id, msg_id, data}: a comm_close. */
  close: "widgets:close",
  /** frame -> page: {req}; page -> frame: {req, comms: {id: {target_name}}}. */
  commInfo: "widgets:comm-info",
  /** page -> frame: a comm_msg for a model: {comm_id, msg_id, parent_msg_id, data, buffers}. */
  msg: "widgets:msg",
  /** page -> frame: {comm_id}: the kernel closed it. */
  closed: "widgets:closed",
  /** page -> frame: {msg_id, execution_state}: kernel status while handling a frame's message. */
  status: "widgets:status",
} as const;

export interface CommData {
  method?: string;
  state?: Record<string, unknown>;
  buffer_paths?: BufferPath[];
  [key: string]: unknown;
}

export type { ModelSnapshot };
