/**
 * @module
 * A minimal DNS client over real sockets for server tests: one UDP query, or TCP connections
 * the test drives frame by frame (to pipeline, dribble or send junk).
 */
import dgram from "node:dgram";
import net from "node:net";

/** Sends one datagram and resolves with the first reply, or undefined after `timeoutMs`. */
export function udpExchange(port: number, message: Buffer, timeoutMs = 2000, host = "127.0.0.1", bindAddress?: string): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket("udp4");
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    const finish = (reply: Buffer | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    socket.on("message", (reply) => finish(reply));
    socket.on("error", () => finish(undefined));
    socket.bind(0, bindAddress, () => socket.send(message, port, host));
  });
}

/** A TCP connection that collects length-prefixed replies. */
export class TcpDnsConnection {
  readonly replies: Buffer[] = [];
  closed = false;
  #buffered = Buffer.alloc(0);
  #waiters: Array<() => void> = [];

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (chunk) => {
      this.#buffered = Buffer.concat([this.#buffered, chunk]);
      while (this.#buffered.length >= 2 && this.#buffered.length >= 2 + this.#buffered.readUInt16BE(0)) {
        const length = this.#buffered.readUInt16BE(0);
        this.replies.push(Buffer.from(this.#buffered.subarray(2, 2 + length)));
        this.#buffered = this.#buffered.subarray(2 + length);
      }
      this.#wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.#wake();
    });
    socket.on("error", () => {});
  }

  static connect(port: number, host = "127.0.0.1"): Promise<TcpDnsConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host }, () => resolve(new TcpDnsConnection(socket)));
      socket.once("error", reject);
    });
  }

  /** Writes `message` with its 2-byte length. */
  send(message: Buffer): void {
    const frame = Buffer.alloc(2 + message.length);
    frame.writeUInt16BE(message.length, 0);
    message.copy(frame, 2);
    this.socket.write(frame);
  }

  /** Resolves once `count` replies arrived or the connection closed, or after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length < count && !this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves true once the server closed the connection, false after `timeoutMs`. */
  async waitClosed(timeoutMs = 2000): Promise<boolean> {
    await this.waitFor(Number.POSITIVE_INFINITY, timeoutMs);
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
