import { connect, type Socket } from 'node:net';

/**
 * One TCP connection to an HTTP/1.1 server, driven by hand: requests are written byte for byte
 * (a declared Content-Length with no body, a chunked body cut short...), and responses are read as
 * they arrive. For what `fetch` hides: keep-alive reuse, answers before the body is complete.
 */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export class RawConnection {
  private buffer = Buffer.alloc(0);
  private ended = false;
  private wake: () => void = () => {};

  private constructor(private readonly socket: Socket) {
    socket.on('data', (data: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, data]);
      this.wake();
    });
    // A reset (the server closing with our unread bytes) ends the connection like a FIN does.
    socket.on('error', () => {});
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  static open(baseUrl: string): Promise<RawConnection> {
    const { hostname, port } = new URL(baseUrl);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawConnection(socket));
      });
    });
  }

  /** Writes, unless the server has already closed the connection. */
  write(data: string | Uint8Array): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(data);
  }

  get closed(): boolean {
    return this.ended;
  }

  /**
   * The next complete response, or 'closed' when the server closes the connection first. Rejects
   * if neither happens within `guardMs`: a liveness guard against a hang, not a timing assertion.
   */
  response(guardMs = 5000): Promise<RawResponse | 'closed'> {
    return this.until(() => this.take(), guardMs);
  }

  /** The next `count` raw bytes (e.g. WebSocket frames after a 101), or 'closed'; as `response`. */
  bytes(count: number, guardMs = 5000): Promise<Buffer | 'closed'> {
    return this.until(() => {
      if (this.buffer.length < count) return undefined;
      const taken = this.buffer.subarray(0, count);
      this.buffer = this.buffer.subarray(count);
      return taken;
    }, guardMs);
  }

  private async until<T>(take: () => T | undefined, guardMs: number): Promise<T | 'closed'> {
    const deadline = Date.now() + guardMs;
    for (;;) {
      const taken = take();
      if (taken !== undefined) return taken;
      if (this.ended) return 'closed';
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`nothing received and no close within ${guardMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Resolves once the server has closed the connection; rejects after `guardMs` (liveness). */
  async closing(guardMs = 5000): Promise<void> {
    for (;;) {
      const next = await this.response(guardMs);
      if (next === 'closed') return;
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Removes one complete response (Content-Length or chunked body) from the buffer. */
  private take(): RawResponse | undefined {
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const [statusLine, ...lines] = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    let offset = end + 4;
    let body: Buffer;
    if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = this.buffer.indexOf('\r\n', offset);
        if (lineEnd < 0) return undefined;
        const size = parseInt(this.buffer.subarray(offset, lineEnd).toString('latin1'), 16);
        if (this.buffer.length < lineEnd + 2 + size + 2) return undefined;
        parts.push(this.buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
        offset = lineEnd + 2 + size + 2;
        if (size === 0) break;
      }
      body = Buffer.concat(parts);
    } else {
      const length = Number(headers['content-length'] ?? 0);
      if (this.buffer.length < offset + length) return undefined;
      body = this.buffer.subarray(offset, offset + length);
      offset += length;
    }
    this.buffer = this.buffer.subarray(offset);
    return { status: Number(statusLine!.split(' ')[1]), headers, body: body.toString('utf8') };
  }
}

/** One chunk of a chunked request body, framed. */
export function chunk(data: string | Buffer): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([
    Buffer.from(`${bytes.length.toString(16)}\r\n`),
    bytes,
    Buffer.from('\r\n'),
  ]);
}

/** The end of a chunked request body. */
export const LAST_CHUNK = '0\r\n\r\n';
