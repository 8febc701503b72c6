import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { encodeId } from '../src/ids.js';
import { warnLogs } from './helpers/logs.js';
import { startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';
import { FakeWhatsApp } from './helpers/fake-whatsapp.js';
import { acceptedMessage, connectWhatsApp, randomWamid } from './helpers/messaging.js';
import { sign } from '../src/webhooks/signature.js';
import { graphql } from './generated/gql.js';
import { chunk, RawConnection } from './helpers/raw-http.js';

/**
 * POST /webhooks/whatsapp as Meta calls it: the verification handshake, signatures, and statuses
 * arriving duplicated, out of order, failed, for unknown messages or numbers, or naming another
 * tenant's message. The dispatcher is off: only the webhooks move the messages here.
 */
const APP_SECRET = randomBytes(16).toString('hex');
const VERIFY_TOKEN = 'verify-me-please';
const PN_A = '100000000000001';
const PN_B = '100000000000002';

const MESSAGE = graphql(`
  query WebhookMessage($id: ID!) {
    message(id: $id) {
      status
      wamid
      deliveredAt
      readAt
      error {
        code
        title
        message
        details
      }
      statusHistory {
        status
        previousStatus
      }
    }
  }
`);

let t: TestApp;
let meta: FakeWhatsApp;
let a: TestTenant;
let b: TestTenant;
let readerA: string;
let readerB: string;
let url: string;
/** What the server logged at warn and above. */
const { logger, logged } = warnLogs();

beforeAll(async () => {
  const defaults = loadConfig({});
  t = await startTestApp(
    {
      whatsapp: { ...defaults.whatsapp, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN },
      encryptionKey: randomBytes(32),
      dispatcher: { ...defaults.dispatcher, inProcess: false },
    },
    { logger },
  );
  url = `${t.url}/webhooks/whatsapp`;
  // Only its webhook signing and payloads are used; it does not listen.
  meta = new FakeWhatsApp(APP_SECRET);
  meta.webhookUrl = url;
  [a, b] = [await t.createTenant(), await t.createTenant()];
  await connectWhatsApp(t, a, PN_A);
  await connectWhatsApp(t, b, PN_B);
  readerA = await t.createToken(a, ['messages.send_text']);
  readerB = await t.createToken(b, ['messages.send_text']);
});
afterAll(() => t.stop());

const read = async (tenant: TestTenant, id: string) =>
  (
    await t.gql(tenant.subdomain, tenant === a ? readerA : readerB, MESSAGE, {
      id: encodeId('Message', id),
    })
  ).body.data!.message!;
const history = async (tenant: TestTenant, id: string) =>
  (await read(tenant, id)).statusHistory.map((h) => h.status);
const status = (phoneNumberId: string, wamid: string, name: string, extra = {}) =>
  meta.statusPayload(phoneNumberId, wamid, name, undefined, extra);
/** Posts once, and returns the HTTP status and body; signed unless `signature` is given. */
async function post(payload: unknown, signature?: string | null, raw = JSON.stringify(payload)) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature !== null && { 'x-hub-signature-256': signature ?? sign(raw, APP_SECRET) }),
    },
    body: raw,
  });
  return { status: response.status, body: await response.json() };
}
/** Everything the database holds about the messages, to prove a request changed nothing. */
const snapshot = async () => ({
  messages: await t.database.db.selectFrom('messages').selectAll().orderBy('id').execute(),
  events: await t.database.db
    .selectFrom('message_status_events')
    .selectAll()
    .orderBy('id')
    .execute(),
});

describe('the verification handshake (GET)', () => {
  const handshake = (token: string) =>
    fetch(`${url}?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`);

  it('echoes the challenge for the right verify token', async () => {
    const response = await handshake(VERIFY_TOKEN);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('1158201444');
  });

  it('refuses a wrong verify token with 403', async () => {
    const response = await handshake('not-the-token');
    expect(response.status).toBe(403);
    expect(await response.text()).not.toContain('1158201444');
  });
});

describe('signatures', () => {
  it.each([
    ['a signature with another secret', (raw: string) => sign(raw, 'another-secret')],
    ['a malformed signature', () => 'md5=0123456789abcdef'],
    ['no signature', () => null],
  ])('refuses %s with 401 and changes nothing', async (_name, signature) => {
    const { id, wamid } = await acceptedMessage(t, a);
    const payload = status(PN_A, wamid, 'read');
    const before = await snapshot();
    const response = await post(payload, signature(JSON.stringify(payload)));
    expect(response.status).toBe(401);
    expect(await snapshot()).toEqual(before);
    expect((await read(a, id)).status).toBe('SENT');
  });

  it('refuses a body changed after it was signed', async () => {
    const { wamid } = await acceptedMessage(t, a);
    const signed = JSON.stringify(status(PN_A, wamid, 'delivered'));
    const before = await snapshot();
    const response = await post(
      undefined,
      sign(signed, APP_SECRET),
      signed.replace('delivered', 'read'),
    );
    expect(response.status).toBe(401);
    expect(await snapshot()).toEqual(before);
  });
});

describe('statuses', () => {
  it('answers 200 for an unknown wamid and changes nothing', async () => {
    await acceptedMessage(t, a);
    const before = await snapshot();
    const response = await post(status(PN_A, randomWamid(), 'delivered'));
    expect(response).toEqual({ status: 200, body: { applied: 0, ignored: 1 } });
    expect(await snapshot()).toEqual(before);
  });

  it('applies each status once, whatever the duplicates', async () => {
    const { id, wamid } = await acceptedMessage(t, a);
    for (const name of ['sent', 'delivered', 'delivered', 'sent', 'read', 'read']) {
      expect(await meta.deliver(status(PN_A, wamid, name))).toBe(200);
    }
    const message = await read(a, id);
    expect(message.status).toBe('READ');
    expect(message.statusHistory).toEqual([
      { status: 'QUEUED', previousStatus: null },
      { status: 'SENT', previousStatus: 'QUEUED' },
      { status: 'DELIVERED', previousStatus: 'SENT' },
      { status: 'READ', previousStatus: 'DELIVERED' },
    ]);
  });

  it('keeps READ when DELIVERED arrives after it, and still records when it was delivered', async () => {
    const { id, wamid } = await acceptedMessage(t, a);
    await meta.deliver(status(PN_A, wamid, 'read'));
    expect(await read(a, id)).toMatchObject({ status: 'READ', deliveredAt: null });
    await meta.deliver(status(PN_A, wamid, 'delivered'));
    const message = await read(a, id);
    expect(message).toMatchObject({ status: 'READ', readAt: expect.any(String) });
    expect(message.deliveredAt).toEqual(expect.any(String));
    expect(message.statusHistory.map((h) => h.status)).toEqual(['QUEUED', 'SENT', 'READ']);
  });

  it("fails the message with Meta's code, title and details; nothing moves it on", async () => {
    const { id, wamid } = await acceptedMessage(t, a);
    const errors = [
      {
        code: 131047,
        title: 'Re-engagement message',
        message: 'Re-engagement message',
        error_data: { details: 'More than 24 hours have passed since the recipient last replied.' },
        href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
      },
    ];
    await meta.deliver(status(PN_A, wamid, 'failed', { errors }));
    await meta.deliver(status(PN_A, wamid, 'delivered'));
    const message = await read(a, id);
    expect(message).toMatchObject({
      status: 'FAILED',
      deliveredAt: null,
      error: {
        code: 131047,
        title: 'Re-engagement message',
        message: 'Re-engagement message',
        details: 'More than 24 hours have passed since the recipient last replied.',
      },
    });
    expect(message.statusHistory.map((h) => h.status)).toEqual(['QUEUED', 'SENT', 'FAILED']);
  });

  it("records a send whose answer was lost: the status names our id and brings Meta's wamid", async () => {
    const { id } = await acceptedMessage(t, a, { wamid: null });
    const wamid = randomWamid();
    await meta.deliver(status(PN_A, wamid, 'sent', { biz_opaque_callback_data: id }));
    expect(await read(a, id)).toMatchObject({ status: 'SENT', wamid });
  });

  it('ignores, with 200, a status for a phone number id of no tenant', async () => {
    const { wamid } = await acceptedMessage(t, a);
    const before = await snapshot();
    const response = await post(status('199999999999999', wamid, 'read'));
    expect(response).toEqual({ status: 200, body: { applied: 0, ignored: 1 } });
    expect(await snapshot()).toEqual(before);
  });
});

describe('tenants', () => {
  it("a webhook naming tenant A's number cannot move tenant B's message", async () => {
    const mine = await acceptedMessage(t, b);
    const queued = await acceptedMessage(t, b, { wamid: null });
    const before = await snapshot();
    const byWamid = await post(status(PN_A, mine.wamid, 'read'));
    const byOurId = await post(
      status(PN_A, randomWamid(), 'sent', { biz_opaque_callback_data: queued.id }),
    );
    expect([byWamid, byOurId]).toEqual([
      { status: 200, body: { applied: 0, ignored: 1 } },
      { status: 200, body: { applied: 0, ignored: 1 } },
    ]);
    expect(await snapshot()).toEqual(before);
    expect(await history(b, mine.id)).toEqual(['QUEUED', 'SENT']);
    // With its own number, the same status applies.
    expect(await post(status(PN_B, mine.wamid, 'read'))).toMatchObject({ body: { applied: 1 } });
    expect(await history(b, mine.id)).toEqual(['QUEUED', 'SENT', 'READ']);
  });
});

describe('a malformed status in a well-signed payload', () => {
  /** One payload of several statuses for tenant A's number, each given whole. */
  const batch = (...statuses: unknown[]) => {
    const payload = status(PN_A, 'unused', 'sent') as any;
    payload.entry[0].changes[0].value.statuses = statuses;
    return payload;
  };
  const good = (wamid: string, name: string) =>
    (status(PN_A, wamid, name) as any).entry[0].changes[0].value.statuses[0];

  it('is skipped and logged; the statuses after it are applied and the answer is 200', async () => {
    const [first, bad, last] = [
      await acceptedMessage(t, a),
      await acceptedMessage(t, a),
      await acceptedMessage(t, a),
    ];
    const response = await post(
      batch(
        good(first.wamid, 'delivered'),
        { ...good(bad.wamid, 'read'), timestamp: 'yesterday' },
        good(last.wamid, 'read'),
      ),
    );
    expect(response).toEqual({ status: 200, body: { applied: 2, ignored: 1 } });
    expect(await history(a, first.id)).toEqual(['QUEUED', 'SENT', 'DELIVERED']);
    expect(await history(a, bad.id)).toEqual(['QUEUED', 'SENT']);
    expect(await history(a, last.id)).toEqual(['QUEUED', 'SENT', 'READ']);
    expect(logged).toContainEqual(
      expect.objectContaining({
        msg: 'webhook: skipped a malformed status',
        wamid: bad.wamid,
        phoneNumberId: PN_A,
        at: 'entry[0].changes[0].value.statuses[1]',
        issues: [expect.stringMatching(/^timestamp: /)],
      }),
    );
  });

  const failed = (extra: Record<string, unknown>) => (wamid: string) => ({
    ...good(wamid, 'failed'),
    ...extra,
  });
  it.each([
    [
      'a timestamp past any date',
      (w: string) => ({ ...good(w, 'read'), timestamp: '9'.repeat(20) }),
    ],
    ['a negative timestamp', (w: string) => ({ ...good(w, 'read'), timestamp: -1 })],
    ['no id', (w: string) => ({ ...good(w, 'read'), id: undefined })],
    ['a numeric id', (w: string) => ({ ...good(w, 'read'), id: 42 })],
    ['an id with a NUL', (w: string) => ({ ...good(w, 'read'), id: `${w}\u0000` })],
    ['an unknown status', (w: string) => good(w, 'exploded')],
    ['no status', (w: string) => ({ ...good(w, 'read'), status: undefined })],
    ['errors that are not a list', failed({ errors: 'boom' })],
    ['an error without a code', failed({ errors: [{ title: 'Oops' }] })],
    ['an error code past 32 bits', failed({ errors: [{ code: 2 ** 40, title: 'Oops' }] })],
    ['an error title with a NUL', failed({ errors: [{ code: 131026, title: 'a\u0000b' }] })],
    [
      'an error message with half a surrogate pair',
      failed({ errors: [{ code: 1, message: '\ud800' }] }),
    ],
    ['null in place of a status', () => null],
  ])('%s: skipped, the next status applied', async (_name, malformed) => {
    const [bad, next] = [await acceptedMessage(t, a), await acceptedMessage(t, a)];
    const response = await post(batch(malformed(bad.wamid), good(next.wamid, 'delivered')));
    expect(response).toEqual({ status: 200, body: { applied: 1, ignored: 1 } });
    expect(await history(a, bad.id)).toEqual(['QUEUED', 'SENT']);
    expect(await history(a, next.id)).toEqual(['QUEUED', 'SENT', 'DELIVERED']);
  });

  it('a malformed change is skipped; the other changes of the payload are applied', async () => {
    const message = await acceptedMessage(t, a);
    const payload = status(PN_A, message.wamid, 'read') as any;
    const changes = payload.entry[0].changes;
    changes.unshift({ field: 'messages', value: 'not an object' });
    changes.unshift({ field: 'messages', value: { metadata: { phone_number_id: 7 } } });
    payload.entry.unshift({ id: 'no changes' });
    const response = await post(payload);
    expect(response).toEqual({ status: 200, body: { applied: 1, ignored: 0 } });
    expect(await history(a, message.id)).toEqual(['QUEUED', 'SENT', 'READ']);
  });

  it('a status the database refuses does not stop the others; Meta is asked to retry (500)', async () => {
    const [refused, next] = [await acceptedMessage(t, a), await acceptedMessage(t, a)];
    const { db } = t.database;
    await sql`CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused for the test'; END $$`.execute(db);
    await sql`CREATE TRIGGER refuse_one BEFORE UPDATE ON messages FOR EACH ROW
      WHEN (NEW.wamid = ${sql.lit(refused.wamid)}) EXECUTE FUNCTION refuse_one()`.execute(db);
    const payload = batch(good(refused.wamid, 'read'), good(next.wamid, 'read'));
    try {
      expect(await post(payload)).toMatchObject({ status: 500, body: { applied: 1 } });
      expect(await history(a, next.id)).toEqual(['QUEUED', 'SENT', 'READ']);
      expect(await history(a, refused.id)).toEqual(['QUEUED', 'SENT']);
    } finally {
      await sql`DROP TRIGGER refuse_one ON messages`.execute(db);
      await sql`DROP FUNCTION refuse_one`.execute(db);
    }
    // Meta's retry: the applied status is a duplicate, the refused one goes through now.
    expect(await post(payload)).toEqual({ status: 200, body: { applied: 1, ignored: 1 } });
    expect(await history(a, refused.id)).toEqual(['QUEUED', 'SENT', 'READ']);
  });
});

describe('body size (read before the signature is checked)', () => {
  const head = (framing: string) =>
    [
      'POST /webhooks/whatsapp HTTP/1.1',
      'Host: localhost',
      'Content-Type: application/json',
      'X-Hub-Signature-256: sha256=' + '0'.repeat(64),
      'Connection: keep-alive',
      framing,
      '',
      '',
    ].join('\r\n');

  it('accepts a signed body of exactly the limit, refuses one byte more with 413', async () => {
    const { id, wamid } = await acceptedMessage(t, a);
    const json = JSON.stringify(status(PN_A, wamid, 'delivered'));
    const limit = t.config.limits.maxWebhookBytes;
    expect(limit).toBe(1_048_576);
    const over = json + ' '.repeat(limit + 1 - json.length);
    const before = await snapshot();
    expect((await post(undefined, undefined, over)).status).toBe(413);
    expect(await snapshot()).toEqual(before);
    const exact = json + ' '.repeat(limit - json.length);
    expect(await post(undefined, undefined, exact)).toMatchObject({ status: 200 });
    expect(await history(a, id)).toEqual(['QUEUED', 'SENT', 'DELIVERED']);
  });

  it('refuses a declared Content-Length over the limit at once, unread, and closes', async () => {
    const connection = await RawConnection.open(t.url);
    connection.write(head(`Content-Length: ${64 * 1024 * 1024}`));
    connection.write('{"object":');
    const refused = await connection.response();
    expect(refused).toMatchObject({ status: 413, headers: { connection: 'close' } });
    await connection.closing();
  });

  it('refuses a chunked body as soon as it passes the limit, before it ends, and closes', async () => {
    const connection = await RawConnection.open(t.url);
    connection.write(head('Transfer-Encoding: chunked'));
    const limit = t.config.limits.maxWebhookBytes;
    // Just past the limit, and no last chunk: the body is unfinished when the answer comes.
    for (let sent = 0; sent <= limit; sent += 65_536) connection.write(chunk(' '.repeat(65_536)));
    const refused = await connection.response();
    expect(refused).toMatchObject({ status: 413, headers: { connection: 'close' } });
    await connection.closing();
  });
});
