// Terminal text: ANSI colour codes to spans, carriage returns applied like a terminal.
const COLORS = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"];

/** Apply \r (return to line start) and \b the way a terminal would. */
export function applyCarriageReturns(text: string): string {
  if (!text.includes("\r") && !text.includes("\x08")) return text;
  return text
    .replace(/\r\n/g, "\n")
    .split("\n")
    .map((line) => {
      const parts = line.split("\r");
      let current = "";
      for (const part of parts) current = part + current.slice(part.length);
      while (current.includes("\x08")) {
        current = current.replace(/[^\x08]\x08/, "").replace(/^\x08+/, "");
      }
      return current;
    })
    .join("\n");
}

export function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
}

/** Render text with ANSI SGR colours into DOM nodes (no HTML parsing of the text). */
export function ansiToNodes(text: string): Node[] {
  const nodes: Node[] = [];
  const re = /\x1b\[([0-9;]*)m/g;
  let last = 0;
  let classes: string[] = [];
  const push = (chunk: string) => {
    if (!chunk) return;
    const clean = stripAnsi(chunk);
    if (!classes.length) nodes.push(document.createTextNode(clean));
    else {
      const span = document.createElement("span");
      span.className = classes.join(" ");
      span.textContent = clean;
      nodes.push(span);
    }
  };
  for (let m = re.exec(text); m; m = re.exec(text)) {
    push(text.slice(last, m.index));
    last = m.index + m[0].length;
    const codes = m[1] ? m[1].split(";").map(Number) : [0];
    for (const code of codes) {
      if (code === 0) classes = [];
      else if (code === 1) classes.push("ansi-bold");
      else if (code >= 30 && code <= 37) classes.push(`ansi-${COLORS[code - 30]}`);
      else if (code >= 90 && code <= 97) classes.push(`ansi-bright-${COLORS[code - 90]}`);
      else if (code >= 40 && code <= 47) classes.push(`ansi-bg-${COLORS[code - 40]}`);
    }
  }
  push(text.slice(last));
  return nodes;
}
