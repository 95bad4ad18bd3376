// A stream's text as a terminal would show it, built chunk by chunk: finished lines
// are never touched again, only the line being written changes. \r and \b act on that
// line with a cursor, so a progress line split across two messages ("50%\r" then "60%")
// comes out as if it had arrived in one piece.
import { PLAIN, type Style, styleAfter } from "./ansi";

export class TerminalText {
  /** Finished lines, \r and \b already applied, escape codes kept. */
  readonly lines: string[] = [];
  /** The line being written (no newline yet). */
  current = "";
  private col = 0;
  // Style at the start of each finished line that does not start plain (sparse).
  private styles = new Map<number, Style>();
  private currentStart: Style = PLAIN;
  private chars = 0;

  write(chunk: string): void {
    if (!chunk) return;
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf("\n", from);
      const piece = nl < 0 ? chunk.slice(from) : chunk.slice(from, nl);
      if (piece) this.writeInLine(piece);
      if (nl < 0) break;
      this.endLine();
      from = nl + 1;
    }
  }

  /** Number of characters in finished lines (newlines included). */
  get finishedChars(): number {
    return this.chars;
  }

  /** The style the finished line `i` starts in (or the current line, for i = lines.length). */
  styleAt(i: number): Style {
    if (i >= this.lines.length) return this.currentStart;
    return this.styles.get(i) ?? PLAIN;
  }

  /** The whole text as a terminal shows it (escape codes kept). */
  text(): string {
    const body = this.lines.join("\n");
    if (!this.lines.length) return this.current;
    return `${body}\n${this.current}`;
  }

  private endLine(): void {
    const i = this.lines.length;
    if (this.currentStart !== PLAIN) this.styles.set(i, this.currentStart);
    this.lines.push(this.current);
    this.chars += this.current.length + 1;
    this.currentStart = styleAfter(this.current, this.currentStart);
    this.current = "";
    this.col = 0;
  }

  private writeInLine(piece: string): void {
    // The common case: plain text appended at the end of the line.
    if (this.col === this.current.length && !/[\r\x08]/.test(piece)) {
      this.current += piece;
      this.col = this.current.length;
      return;
    }
    let run = "";
    const flush = () => {
      if (!run) return;
      const line = this.current;
      this.current = line.slice(0, this.col) + run + line.slice(this.col + run.length);
      this.col += run.length;
      run = "";
    };
    for (const ch of piece) {
      if (ch === "\r") {
        flush();
        this.col = 0;
      } else if (ch === "\x08") {
        // As Jupyter front ends do: a backspace removes the character before it.
        flush();
        if (this.col > 0) {
          this.current = this.current.slice(0, this.col - 1) + this.current.slice(this.col);
          this.col--;
        }
      } else {
        run += ch;
      }
    }
    flush();
  }
}
