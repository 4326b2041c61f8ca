/**
 * @module
 * An incremental parser for `text/event-stream` (the WHATWG "server-sent events" format): feed
 * it chunks as they arrive, get whole events back. Lines end in CRLF, LF or CR (a CR at the end
 * of one chunk and an LF at the start of the next are one line end); `:` lines are comments
 * (keepalives); a blank line dispatches the event, and an event with no data is dropped, as the
 * standard says. Pure: no I/O, no clock.
 */

export interface SseEvent {
  /** The `event:` field; `message` when the server sent none. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  /** The last `id:` seen on the stream, if any. */
  id?: string;
}

/**
 * @example
 * const parser = new SseParser();
 * parser.push("event: status_update_event\ndata: {\"eventType\":");
 * parser.push("\"status_update_event\"}\n\n"); // [{ event: "status_update_event", data: "{...}" }]
 */
export class SseParser {
  #buffer = "";
  #skipLeadingLf = false;
  #event = "";
  #data: string[] = [];
  #id: string | undefined;
  /** Lines dispatched or not, comments included: a stream that sends only keepalives is alive. */
  lines = 0;

  /** Parses `chunk` and returns the events it completed. */
  push(chunk: string): SseEvent[] {
    let text = chunk;
    if (this.#skipLeadingLf && text.startsWith("\n")) text = text.slice(1);
    this.#skipLeadingLf = false;
    this.#buffer += text;
    const events: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < this.#buffer.length; i++) {
      const c = this.#buffer[i];
      if (c !== "\n" && c !== "\r") continue;
      const line = this.#buffer.slice(start, i);
      if (c === "\r") {
        if (i + 1 < this.#buffer.length) {
          if (this.#buffer[i + 1] === "\n") i++;
        } else {
          this.#skipLeadingLf = true;
        }
      }
      start = i + 1;
      const event = this.#line(line);
      if (event !== undefined) events.push(event);
    }
    this.#buffer = this.#buffer.slice(start);
    return events;
  }

  #line(line: string): SseEvent | undefined {
    this.lines++;
    if (line === "") return this.#dispatch();
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.#event = value;
    else if (field === "data") this.#data.push(value);
    else if (field === "id" && !value.includes("\0")) this.#id = value;
    return undefined;
  }

  #dispatch(): SseEvent | undefined {
    const data = this.#data;
    const event = this.#event === "" ? "message" : this.#event;
    this.#data = [];
    this.#event = "";
    if (data.length === 0) return undefined;
    return { event, data: data.join("\n"), ...(this.#id === undefined ? {} : { id: this.#id }) };
  }
}
