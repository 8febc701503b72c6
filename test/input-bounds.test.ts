import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';
import { chunk, LAST_CHUNK, RawConnection } from './helpers/raw-http.js';

/**
 * What an unauthenticated client can make the server hold: a graphql-ws frame is bounded by the
 * request body limit and refused from its header alone (1009); a GraphQL body over the limit is
 * refused and its connection closed, so the next request on it is never left unanswered.
 */
let t: TestApp;
let tenant: TestTenant;
let token: string;
let limit: number;

beforeAll(async () => {
  t = await startTestApp();
  limit = t.config.limits.maxBodyBytes;
  tenant = await t.createTenant();
  token = await t.createToken(tenant, ['statuses.read']);
});
afterAll(() => t.stop());

const path = () => `/api/v1/${tenant.subdomain}/graphql`;

describe('graphql-ws frames', () => {
  /** A connection_init of exactly `bytes` bytes, carrying the token. */
  const init = (bytes: number) => {
    const base = JSON.stringify({
      type: 'connection_init',
      payload: { authorization: `Bearer ${token}`, pad: '' },
    });
    return base.replace('"pad":""', `"pad":"${'x'.repeat(bytes - base.length)}"`);
  };
  /** Sends one frame first thing and resolves with the first message or the close code. */
  const firstAnswer = (frame: string) =>
    new Promise<{ message?: string; close?: number }>((resolve, reject) => {
      const ws = new WebSocket(`${t.url.replace('http', 'ws')}${path()}`, 'graphql-transport-ws');
      ws.on('open', () => ws.send(frame));
      ws.on('message', (data) => {
        resolve({ message: String(data) });
        ws.close();
      });
      ws.on('close', (code) => resolve({ close: code }));
      ws.on('error', reject);
    });

  it('handles a frame of exactly the request body limit', async () => {
    const frame = init(limit);
    expect(Buffer.byteLength(frame)).toBe(limit);
    expect(await firstAnswer(frame)).toEqual({ message: '{"type":"connection_ack"}' });
  });

  it('closes with 1009 on a frame one byte over it, reporting no internal error', async () => {
    const consoleError = vi.spyOn(console, 'error');
    try {
      expect(await firstAnswer(init(limit + 1))).toEqual({ close: 1009 });
      expect(consoleError).not.toHaveBeenCalled();
    } finally {
      consoleError.mockRestore();
    }
  });

  it('refuses a frame from its header alone, without waiting for the payload', async () => {
    const connection = await RawConnection.open(t.url);
    connection.write(
      [
        `GET ${path()} HTTP/1.1`,
        'Host: localhost',
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Protocol: graphql-transport-ws',
        '',
        '',
      ].join('\r\n'),
    );
    expect(await connection.response()).toMatchObject({ status: 101 });
    // A masked text frame declaring 32 MiB (64-bit length), of which nothing is sent.
    const header = Buffer.alloc(14);
    header[0] = 0x81;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(32n * 1024n * 1024n, 2);
    randomBytes(4).copy(header, 10);
    connection.write(header);
    const close = await connection.bytes(4);
    connection.destroy();
    expect(close).not.toBe('closed');
    // A close frame (0x88) whose status code is 1009, Message Too Big.
    expect([(close as Buffer)[0], (close as Buffer).readUInt16BE(2)]).toEqual([0x88, 1009]);
  });
});

describe('a GraphQL body over the limit on a keep-alive connection', () => {
  const head = (framing: string) =>
    [
      `POST ${path()} HTTP/1.1`,
      'Host: localhost',
      'Content-Type: application/json',
      `Authorization: Bearer ${token}`,
      'Connection: keep-alive',
      framing,
      '',
      '',
    ].join('\r\n');
  const query = JSON.stringify({ query: '{ viewer { kind } }' });
  const next = () => `${head(`Content-Length: ${Buffer.byteLength(query)}`)}${query}`;

  /** After the refusal, the next request on the socket is answered or the socket is closed. */
  async function expectNoHang(connection: RawConnection) {
    const refused = await connection.response();
    expect(refused).not.toBe('closed');
    if (refused === 'closed') return;
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body).errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    connection.write(next());
    const answer = await connection.response();
    if (answer !== 'closed') {
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ data: { viewer: { kind: 'API_TOKEN' } } });
    }
    connection.destroy();
  }

  it('a chunked body: refused, then the connection is closed (or the next request answered)', async () => {
    const connection = await RawConnection.open(t.url);
    connection.write(head('Transfer-Encoding: chunked'));
    // As a client streams it: 16 KiB chunks, four times the limit in all.
    for (let sent = 0; sent < 4 * limit; sent += 16_384)
      connection.write(chunk('x'.repeat(16_384)));
    connection.write(LAST_CHUNK);
    await expectNoHang(connection);
  });

  it('a declared Content-Length, of which nothing is sent: the same', async () => {
    const connection = await RawConnection.open(t.url);
    connection.write(head(`Content-Length: ${10 * limit}`));
    await expectNoHang(connection);
  });
});
