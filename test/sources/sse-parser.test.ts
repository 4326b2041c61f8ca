import { describe, expect, it } from "vitest";
import { SseParser } from "../../lib/sources/sse-parser.ts";

describe("SseParser", () => {
  it("dispatches an event on the blank line, with its event name and data", () => {
    const parser = new SseParser();
    expect(parser.push('event: status_update_event\ndata: {"a":1}\n')).toEqual([]);
    expect(parser.push("\n")).toEqual([{ event: "status_update_event", data: '{"a":1}' }]);
  });

  it("treats a CR at the end of one chunk and an LF at the start of the next as one line end", () => {
    const parser = new SseParser();
    expect(parser.push("data: x\r")).toEqual([]);
    // Were the LF a second line end, this would be a blank line and dispatch `x` twice.
    expect(parser.push("\ndata: y\r\n\r\n")).toEqual([{ event: "message", data: "x\ny" }]);
  });

  it("joins multi-line data, ignores comments and drops events without data", () => {
    const parser = new SseParser();
    const events = parser.push(": keepalive\n\nevent: ping\n\ndata: one\ndata:two\nid: 7\n\n");
    expect(events).toEqual([{ event: "message", data: "one\ntwo", id: "7" }]);
    expect(parser.lines).toBe(8);
  });

  it("keeps a data line split across chunks whole", () => {
    const parser = new SseParser();
    expect(parser.push('data: {"eventType":"stat')).toEqual([]);
    expect(parser.push('us_update_event"}\n\n')).toEqual([{ event: "message", data: '{"eventType":"status_update_event"}' }]);
  });

  it("parses the Marathon 0.14 layout where event and data came apart (marathon-lb#35)", () => {
    const parser = new SseParser();
    const events = parser.push('event: failed_health_check_event\n\ndata: {"eventType":"failed_health_check_event"}\n\n');
    expect(events).toEqual([{ event: "message", data: '{"eventType":"failed_health_check_event"}' }]);
  });
});
