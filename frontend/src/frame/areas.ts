// The frame's output areas: #output-header, the default area, #output-footer, and the
// active area new outputs are appended to (google.colab.output.setActiveOutputArea).

function div(id: string): HTMLElement {
  const el = document.createElement("div");
  el.id = id;
  return el;
}

export const header = div("output-header");
export const defaultArea = div("output-area");
export const footer = div("output-footer");
let active: Element = defaultArea;

export function mountAreas(): void {
  document.body.append(header, defaultArea, footer);
}

export function getActiveOutputArea(): Element {
  // An area removed from the document (its output was cleared) falls back to the default.
  if (!active.isConnected) active = defaultArea;
  return active;
}

export function setActiveOutputArea(el: Element | null | undefined): void {
  active = el instanceof Element ? el : defaultArea;
}

export function getDefaultOutputArea(): Element {
  return defaultArea;
}

export function resetActiveArea(): void {
  active = defaultArea;
}
