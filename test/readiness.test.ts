import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createDatabase } from '../src/db/database.js';
import { createLogger } from '../src/logger.js';
import { createDispatcher } from '../src/messages/create-dispatcher.js';
import { readiness } from '../src/observability/readiness.js';
import { withDatabase } from './helpers/net.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const defaults = loadConfig({});
const logger = createLogger('silent');
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

async function ready(url: string) {
  const response = await fetch(`${url}/ready`);
  return { status: response.status, body: await response.json() };
}

describe('GET /ready', () => {
  it('is 200 with every check named when the database, migrations and dispatcher are fine', async () => {
    expect(await ready(t.url)).toEqual({
      status: 200,
      body: { ready: true, checks: { database: 'ok', migrations: 'ok', dispatcher: 'ok' } },
    });
  });

  it('reports the dispatcher "off" when this process runs none', async () => {
    const other = await startTestApp({ dispatcher: { ...defaults.dispatcher, inProcess: false } });
    try {
      expect((await ready(other.url)).body.checks.dispatcher).toBe('off');
    } finally {
      await other.stop();
    }
  });

  it('is 503 when the database is unreachable, without saying where it is', async () => {
    const down = createDatabase('postgres://postgres@127.0.0.1:1/nowhere');
    try {
      const response = await readiness({ db: down.db, dispatcher: undefined, logger });
      expect(response.status).toBe(503);
      const text = await response.text();
      expect(JSON.parse(text).checks).toEqual({
        database: 'unreachable',
        migrations: 'unknown',
        dispatcher: 'off',
      });
      expect(text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
    } finally {
      await down.destroy();
    }
  });

  it('is 503 while migrations are pending', async () => {
    const admin = new pg.Client({ connectionString: inject('adminUrl') });
    const name = `gw_unmigrated_${randomBytes(4).toString('hex')}`;
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const fresh = createDatabase(withDatabase(inject('adminUrl'), name));
    try {
      const response = await readiness({ db: fresh.db, dispatcher: undefined, logger });
      expect(response.status).toBe(503);
      expect((await response.json()).checks.migrations).toBe('pending');
    } finally {
      await fresh.destroy();
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  it("is 503 while the dispatcher's loop is stuck, and 200 again once it moves", async () => {
    const dispatcher = createDispatcher(t.config, t.database.db, logger, {
      stalledAfterMs: 300,
      pollMs: 20,
    });
    const check = async () => {
      const response = await readiness({ db: t.database.db, dispatcher, logger });
      return { status: response.status, dispatcher: (await response.json()).checks.dispatcher };
    };
    expect(await check()).toEqual({ status: 503, dispatcher: 'stalled' }); // not started
    dispatcher.start();
    // Its claim query waits behind this lock, so no cycle completes.
    const blocker = new pg.Client({ connectionString: t.config.databaseUrl });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE messages IN ACCESS EXCLUSIVE MODE');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await check()).toEqual({ status: 503, dispatcher: 'stalled' });
      await blocker.query('ROLLBACK');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await check()).toEqual({ status: 200, dispatcher: 'ok' });
    } finally {
      await blocker.query('ROLLBACK').catch(() => {});
      await blocker.end();
      await dispatcher.stop();
    }
    expect((await check()).dispatcher).toBe('stalled'); // stopped
  });
});
