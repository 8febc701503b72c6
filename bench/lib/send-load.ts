import autocannon from 'autocannon';
import { phone } from './seed.js';

/**
 * `sendTextMessage` load with autocannon: every request is a distinct send (its own
 * idempotencyKey `<keyPrefix><n>` and recipient), and every response is read. A response counts as
 * accepted only when it is a 200 whose body has no `errors` and names a QUEUED message; everything
 * else (non-2xx, GraphQL errors, timeouts, unreadable bodies) is a failure, tallied by code.
 *
 * With `amount`, exactly that many sends are made and each is answered (or times out) before the
 * run ends, so the accepted ids can be compared one for one with the database. With `duration`,
 * autocannon abandons the sends in flight when the time is up: the server may still store them.
 */
export interface SendLoadOptions {
  /** The server's origin, e.g. http://127.0.0.1:4000. */
  base: string;
  /** The GraphQL endpoint's path, e.g. /api/v1/demo/graphql. */
  path: string;
  token: string;
  connections: number;
  amount?: number;
  duration?: number;
  keyPrefix: string;
  /** Recipients are phone('+4475', phoneOffset + n); n < 10^7 - phoneOffset. */
  phoneOffset?: number;
  /** The whole run is stopped after this, whatever is left. */
  maxSeconds: number;
}

export interface SendLoadResult {
  responses: number;
  accepted: number;
  failed: number;
  /** Failures by GraphQL error code, or `HTTP <status>`, `UNREADABLE`, `TIMEOUT`. */
  failures: Record<string, number>;
  /** The accepted messages' ids (global ids, as the API returns them); distinct by construction. */
  ids: Set<string>;
  /** First request to last response (Date.now() values, and the seconds between). */
  startedAt: number;
  endedAt: number;
  seconds: number;
  /** Accepted sends per second over `seconds`. */
  acceptedPerSecond: number;
  p50: number;
  p99: number;
  /** Set when `maxSeconds` cut the run short. */
  truncated: boolean;
}

const SEND = `mutation BenchSend($input: SendTextMessageInput!) {
  sendTextMessage(input: $input) { message { id status } }
}`;

export async function sendLoad(options: SendLoadOptions): Promise<SendLoadResult> {
  if (options.amount !== undefined && options.amount < options.connections) {
    throw new Error(`amount (${options.amount}) must be at least connections`);
  }
  const failures: Record<string, number> = {};
  const fail = (code: string) => {
    failures[code] = (failures[code] ?? 0) + 1;
  };
  const ids = new Set<string>();
  let responses = 0;
  let accepted = 0;
  let next = 0;
  const offset = options.phoneOffset ?? 0;
  const headers = {
    'content-type': 'application/json',
    authorization: `Bearer ${options.token}`,
  };
  const started = Date.now();
  let last = started;
  const instance = autocannon({
    url: options.base,
    connections: options.connections,
    ...(options.amount === undefined ? { duration: options.duration ?? 10 } : {}),
    ...(options.amount === undefined ? {} : { amount: options.amount }),
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: options.path,
        setupRequest: (request) => {
          const n = next++;
          return {
            ...request,
            headers,
            body: JSON.stringify({
              operationName: 'BenchSend',
              query: SEND,
              variables: {
                input: {
                  to: { phone: phone('+4475', offset + n) },
                  body: `Bench message ${n}`,
                  idempotencyKey: `${options.keyPrefix}${n}`,
                },
              },
            }),
          };
        },
        onResponse: (status, body) => {
          responses += 1;
          last = Date.now();
          if (status !== 200) return fail(`HTTP ${status}`);
          let parsed: {
            data?: { sendTextMessage?: { message?: { id?: string; status?: string } } };
            errors?: { extensions?: { code?: string } }[];
          };
          try {
            parsed = JSON.parse(body);
          } catch {
            return fail('UNREADABLE');
          }
          if (parsed.errors?.length) {
            return fail(String(parsed.errors[0]?.extensions?.code ?? 'NO_CODE'));
          }
          const message = parsed.data?.sendTextMessage?.message;
          if (!message?.id || message.status !== 'QUEUED') return fail('NOT_QUEUED');
          if (ids.has(message.id)) return fail('DUPLICATE_ID');
          ids.add(message.id);
          accepted += 1;
        },
      },
    ],
  });
  let truncated = false;
  const guard = setTimeout(() => {
    truncated = true;
    instance.stop();
  }, options.maxSeconds * 1000);
  const result = await instance;
  clearTimeout(guard);
  if (result.timeouts > 0) failures.TIMEOUT = result.timeouts;
  if (result.errors - result.timeouts > 0) failures.CONNECTION = result.errors - result.timeouts;
  const seconds = Math.max(0.001, (last - started) / 1000);
  return {
    responses,
    accepted,
    failed: responses - accepted + result.errors,
    failures,
    ids,
    startedAt: started,
    endedAt: last,
    seconds,
    acceptedPerSecond: accepted / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    truncated,
  };
}
