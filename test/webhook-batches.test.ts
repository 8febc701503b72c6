import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { applyStatuses } from '../src/messages/delivery.js';
import { sign } from '../src/webhooks/signature.js';
import { metaStatusesPayload } from './helpers/fake-whatsapp.js';
import { warnLogs } from './helpers/logs.js';
import { startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';
import {
  acceptedMessage,
  connectWhatsApp,
  randomWamid,
  statusesOf,
  subscribeStatuses,
} from './helpers/messaging.js';

/**
 * A webhook POST's statuses applied as one batch (`applyStatuses`): duplicates and reordering
 * inside one POST and across POSTs, unknown wamids, two tenants' numbers in one POST, concurrent
 * POSTs over the same messages, one history row and one event per change, and a statement count
 * per POST that does not grow with its statuses. The dispatcher is off: only the webhooks move
 * the messages here.
 */
const APP_SECRET = randomBytes(16).toString('hex');
const PN_A = '100000000000101';
const PN_B = '100000000000102';

let t: TestApp;
let a: TestTenant;
let b: TestTenant;
let url: string;
/** What the server logged at warn and above. */
const { logger, logged } = warnLogs();

beforeAll(async () => {
  const defaults = loadConfig({});
  t = await startTestApp(
    {
      whatsapp: { ...defaults.whatsapp, appSecret: APP_SECRET },
      encryptionKey: randomBytes(32),
      dispatcher: { ...defaults.dispatcher, inProcess: false },
    },
    { logger },
  );
  url = `${t.url}/webhooks/whatsapp`;
  [a, b] = [await t.createTenant(), await t.createTenant()];
  await connectWhatsApp(t, a, PN_A);
  await connectWhatsApp(t, b, PN_B);
});
afterAll(() => t.stop());

type Status = { id: string; status: string } & Record<string, unknown>;
let clock = 1_780_000_000;
/** One status as Meta sends it; each a second after the one before. */
const st = (id: string, status: string, extra: Record<string, unknown> = {}): Status => ({
  id,
  status,
  timestamp: String((clock += 1)),
  recipient_id: '447700900123',
  ...extra,
});
/** Meta's payload: one entry per phone number id, each with its statuses. */
const payload = (...changes: [phoneNumberId: string, statuses: Status[]][]) =>
  metaStatusesPayload(...changes);
async function post(body: unknown) {
  const raw = JSON.stringify(body);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(raw, APP_SECRET) },
    body: raw,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
/** The message's row and its history, oldest first. */
async function stored(id: string) {
  const { db } = t.database;
  const row = await db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
  const history = await db
    .selectFrom('message_status_events')
    .select(['status', 'previous_status', 'occurred_at'])
    .where('message_id', '=', id)
    .orderBy('id')
    .execute();
  return { row: row!, history: history.map((h) => `${h.previous_status ?? '-'}>${h.status}`) };
}
const batchFailures = () => logged.filter((l) => /batch failed/.test(String(l.msg)));

describe('one POST', () => {
  it('applies each change once, whatever the duplicates in it', async () => {
    const m = await acceptedMessage(t, a);
    const response = await post(
      payload([
        PN_A,
        [
          st(m.wamid, 'sent'),
          st(m.wamid, 'delivered'),
          st(m.wamid, 'delivered'),
          st(m.wamid, 'read'),
          st(m.wamid, 'read'),
          st(m.wamid, 'delivered'),
        ],
      ]),
    );
    expect(response).toEqual({ status: 200, body: { applied: 2, ignored: 4 } });
    const { row, history } = await stored(m.id);
    expect(row.status).toBe('READ');
    expect(history).toEqual(['->QUEUED', 'QUEUED>SENT', 'SENT>DELIVERED', 'DELIVERED>READ']);
  });

  it('READ before DELIVERED in one POST: READ stays, the delivery time is kept', async () => {
    const m = await acceptedMessage(t, a);
    const read = st(m.wamid, 'read');
    const delivered = st(m.wamid, 'delivered');
    const response = await post(payload([PN_A, [read, delivered]]));
    expect(response).toEqual({ status: 200, body: { applied: 1, ignored: 1 } });
    const { row, history } = await stored(m.id);
    expect(row).toMatchObject({
      status: 'READ',
      read_at: new Date(Number(read.timestamp) * 1000),
      delivered_at: new Date(Number(delivered.timestamp) * 1000),
    });
    expect(history).toEqual(['->QUEUED', 'QUEUED>SENT', 'SENT>READ']);
  });

  it('READ then DELIVERED across POSTs ends the same as in one', async () => {
    const m = await acceptedMessage(t, a);
    const delivered = st(m.wamid, 'delivered');
    expect((await post(payload([PN_A, [st(m.wamid, 'read')]]))).body).toEqual({
      applied: 1,
      ignored: 0,
    });
    expect((await post(payload([PN_A, [delivered]]))).body).toEqual({ applied: 0, ignored: 1 });
    const { row, history } = await stored(m.id);
    expect(row).toMatchObject({
      status: 'READ',
      delivered_at: new Date(Number(delivered.timestamp) * 1000),
    });
    expect(history).toEqual(['->QUEUED', 'QUEUED>SENT', 'SENT>READ']);
  });

  it('FAILED first ends the message; the statuses after it in the POST change nothing', async () => {
    const m = await acceptedMessage(t, a);
    const errors = [{ code: 131026, title: 'Message undeliverable' }];
    const response = await post(
      payload([PN_A, [st(m.wamid, 'failed', { errors }), st(m.wamid, 'delivered')]]),
    );
    expect(response.body).toEqual({ applied: 1, ignored: 1 });
    const { row, history } = await stored(m.id);
    expect(row).toMatchObject({ status: 'FAILED', delivered_at: null });
    expect(row.error).toMatchObject({ code: 131026, title: 'Message undeliverable' });
    expect(history).toEqual(['->QUEUED', 'QUEUED>SENT', 'SENT>FAILED']);
  });

  it('ignores unknown wamids and applies the known ones beside them', async () => {
    const [m1, m2] = [await acceptedMessage(t, a), await acceptedMessage(t, a)];
    const response = await post(
      payload([
        PN_A,
        [
          st(randomWamid(), 'delivered'),
          st(m1.wamid, 'delivered'),
          st(randomWamid(), 'read'),
          st(m2.wamid, 'read'),
        ],
      ]),
    );
    expect(response).toEqual({ status: 200, body: { applied: 2, ignored: 2 } });
    expect((await stored(m1.id)).history.at(-1)).toBe('SENT>DELIVERED');
    expect((await stored(m2.id)).history.at(-1)).toBe('SENT>READ');
  });

  it('a status naming our id brings the wamid; a later status of the POST finds it by the wamid', async () => {
    const m = await acceptedMessage(t, a, { wamid: null });
    const wamid = randomWamid();
    const response = await post(
      payload([
        PN_A,
        [st(wamid, 'sent', { biz_opaque_callback_data: m.id }), st(wamid, 'delivered')],
      ]),
    );
    expect(response.body).toEqual({ applied: 2, ignored: 0 });
    const { row, history } = await stored(m.id);
    expect(row).toMatchObject({ status: 'DELIVERED', wamid, claimed_until: null });
    expect(history).toEqual(['->QUEUED', 'QUEUED>SENT', 'SENT>DELIVERED']);
  });
});

describe('two tenants in one POST', () => {
  it("applies each number's statuses to its own tenant's messages only", async () => {
    const [ma, mb] = [await acceptedMessage(t, a), await acceptedMessage(t, b)];
    const queuedB = await acceptedMessage(t, b, { wamid: null });
    const response = await post(
      payload(
        [
          PN_A,
          [
            st(ma.wamid, 'delivered'),
            // B's messages, under A's number: by wamid, and by our id.
            st(mb.wamid, 'read'),
            st(randomWamid(), 'sent', { biz_opaque_callback_data: queuedB.id }),
          ],
        ],
        [PN_B, [st(mb.wamid, 'delivered'), st(ma.wamid, 'read')]],
      ),
    );
    expect(response).toEqual({ status: 200, body: { applied: 2, ignored: 3 } });
    expect(await stored(ma.id)).toMatchObject({
      row: { status: 'DELIVERED' },
      history: ['->QUEUED', 'QUEUED>SENT', 'SENT>DELIVERED'],
    });
    expect(await stored(mb.id)).toMatchObject({
      row: { status: 'DELIVERED' },
      history: ['->QUEUED', 'QUEUED>SENT', 'SENT>DELIVERED'],
    });
    expect(await stored(queuedB.id)).toMatchObject({
      row: { status: 'QUEUED', wamid: null },
      history: ['->QUEUED'],
    });
  });

  it("applyStatuses keeps each report to its tenant's message, by wamid and by our id", async () => {
    const [ma, mb] = [await acceptedMessage(t, a), await acceptedMessage(t, b)];
    const results = await applyStatuses(t.database.db, [
      {
        tenantId: a.tenant.id,
        wamid: mb.wamid,
        status: 'READ',
        occurredAt: new Date(),
        source: 'webhook',
      },
      {
        tenantId: a.tenant.id,
        messageId: mb.id,
        status: 'READ',
        occurredAt: new Date(),
        source: 'api',
      },
      {
        tenantId: b.tenant.id,
        wamid: mb.wamid,
        status: 'READ',
        occurredAt: new Date(),
        source: 'webhook',
      },
      {
        tenantId: b.tenant.id,
        messageId: ma.id,
        status: 'READ',
        occurredAt: new Date(),
        source: 'api',
      },
    ]);
    expect(results.map((r) => (r.applied ? 'applied' : r.reason))).toEqual([
      'unknown',
      'unknown',
      'applied',
      'unknown',
    ]);
    expect((await stored(ma.id)).row.status).toBe('SENT');
    expect((await stored(mb.id)).history).toEqual(['->QUEUED', 'QUEUED>SENT', 'SENT>READ']);
  });
});

describe('concurrent POSTs', () => {
  it('over the same messages, in opposite orders: no deadlock, each change once', async () => {
    const messages = await Promise.all(Array.from({ length: 20 }, () => acceptedMessage(t, a)));
    const forward = messages.flatMap((m) => [st(m.wamid, 'delivered'), st(m.wamid, 'read')]);
    const bodies = Array.from({ length: 8 }, (_, i) => {
      const statuses = i % 2 ? [...forward].reverse() : forward;
      // Rotated as well, so that the POSTs name the messages in different orders.
      const shift = (i * 5) % statuses.length;
      return payload([PN_A, [...statuses.slice(shift), ...statuses.slice(0, shift)]]);
    });
    const failuresBefore = batchFailures().length;
    const responses = await Promise.all(bodies.map(post));
    expect(responses.map((r) => r.status)).toEqual(bodies.map(() => 200));
    // A deadlock would have been retried status by status (and logged): none was.
    expect(batchFailures().length).toBe(failuresBefore);
    // Every status is applied once over all the POSTs: DELIVERED and READ, or READ alone.
    const applied = responses.reduce((sum, r) => sum + (r.body.applied as number), 0);
    let changes = 0;
    for (const m of messages) {
      const { row, history } = await stored(m.id);
      expect(row.status).toBe('READ');
      expect(row.delivered_at).not.toBeNull();
      expect(history.filter((h) => h.endsWith('>READ'))).toHaveLength(1);
      expect(history.filter((h) => h.endsWith('>DELIVERED')).length).toBeLessThanOrEqual(1);
      changes += history.length - 2;
    }
    expect(applied).toBe(changes);
  });
});

describe('subscribers', () => {
  it('get one event per applied change of a POST, in order', async () => {
    const token = await t.createToken(a, ['messages.send_text']);
    const [m1, m2] = [await acceptedMessage(t, a), await acceptedMessage(t, a)];
    const sub = subscribeStatuses(t, a, token);
    try {
      await sub.ready();
      const response = await post(
        payload([
          PN_A,
          [
            st(m1.wamid, 'delivered'),
            st(m2.wamid, 'read'),
            st(m1.wamid, 'delivered'),
            st(m1.wamid, 'read'),
            st(m2.wamid, 'delivered'),
            st(m1.wamid, 'read'),
          ],
        ]),
      );
      expect(response.body).toEqual({ applied: 3, ignored: 3 });
      await expect.poll(() => sub.events.length).toBeGreaterThanOrEqual(3);
      // Events keep order: once a probe published now arrives, nothing of the POST is still on its way.
      await sub.ready();
      expect(statusesOf(sub, m1.id)).toEqual(['DELIVERED', 'READ']);
      expect(statusesOf(sub, m2.id)).toEqual(['READ']);
      expect(sub.events).toHaveLength(3);
    } finally {
      await sub.dispose();
    }
  });
});

describe('statements per POST', () => {
  it('do not grow with the statuses of the POST', async () => {
    const count = async (statuses: (wamid: string) => Status[], messages: number) => {
      const made = await Promise.all(Array.from({ length: messages }, () => acceptedMessage(t, a)));
      const before = t.database.statementCount();
      const response = await post(payload([PN_A, made.flatMap((m) => statuses(m.wamid))]));
      const statements = t.database.statementCount() - before;
      expect(response.body).toMatchObject({ applied: messages * statuses('').length });
      return statements;
    };
    const one = await count((w) => [st(w, 'delivered')], 1);
    const many = await count((w) => [st(w, 'delivered'), st(w, 'read')], 50);
    expect(many).toBe(one);
    // The connection lookup, BEGIN, the lock, the writes, the events, COMMIT.
    expect(one).toBeLessThanOrEqual(6);
  });
});
