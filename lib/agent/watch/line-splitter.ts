/**
 * @module
 * NDJSON framing for a stream read in arbitrary chunks: a line is what ends with `\n`. A chunk
 * may end mid-line (mid-character even, which the caller's streaming `TextDecoder` handles): the
 * piece is held until its newline arrives, and a stream that ends on one has a cut line, which
 * is not a line. Pieces are joined once per line, so a long line spread over many chunks costs
 * its length, not its length times its chunks.
 */

/**
 * @example
 * const lines = new LineSplitter();
 * lines.push('{"a":1}\n{"b"'); // ['{"a":1}']
 * lines.push(":2}\n"); // ['{"b":2}']
 */
export class LineSplitter {
  #pieces: string[] = [];
  #pendingChars = 0;

  /** The lines `text` completed, without their newlines (empty lines left out). */
  push(text: string): string[] {
    const lines: string[] = [];
    let from = 0;
    for (let newline = text.indexOf("\n"); newline >= 0; newline = text.indexOf("\n", from)) {
      let line = text.slice(from, newline);
      if (this.#pieces.length > 0) {
        this.#pieces.push(line);
        line = this.#pieces.join("");
        this.#pieces = [];
        this.#pendingChars = 0;
      }
      if (line.trim() !== "") lines.push(line);
      from = newline + 1;
    }
    if (from < text.length) {
      this.#pieces.push(text.slice(from));
      this.#pendingChars += text.length - from;
    }
    return lines;
  }

  /** Characters received after the last newline: a line still coming, or cut off. */
  get pendingChars(): number {
    return this.#pendingChars;
  }
}
