import { expect } from 'vitest';

/** What a REST client sees: the status, the headers and the parsed JSON body (if JSON). */
export interface RestResponse {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

export interface RestCallOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is, with `content-type: application/json` (malformed JSON, oversized bodies). */
  rawBody?: string;
  query?: Record<string, string | number>;
  headers?: Record<string, string>;
}

/**
 * A REST call as an integration makes it: real HTTP to `/api/v1/<subdomain><path>`, with
 * `Authorization: Bearer <secret>` when a secret is given.
 */
export async function restCall(
  baseUrl: string,
  subdomain: string,
  secret: string | undefined,
  method: string,
  path: string,
  options: RestCallOptions = {},
): Promise<RestResponse> {
  const url = new URL(`${baseUrl}/api/v1/${subdomain}${path}`);
  for (const [key, value] of Object.entries(options.query ?? {}))
    url.searchParams.set(key, String(value));
  const payload =
    options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(url, {
    method,
    headers: {
      accept: 'application/json',
      ...(payload !== undefined && { 'content-type': 'application/json' }),
      ...(secret !== undefined && { authorization: `Bearer ${secret}` }),
      ...options.headers,
    },
    body: payload,
  });
  const text = await response.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** `/contacts/{id}` with `{ id }` → `/contacts/<id>`. */
export function fillPath(path: string, params: Record<string, string> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`No value for {${name}} in ${path}`);
    return encodeURIComponent(value);
  });
}

/**
 * The error shape of API.md ("The REST face"): JSON `{ message, code }` with the given status and
 * code, and never a stack trace or an internal detail.
 */
export function expectRestError(res: RestResponse, status: number, code: string) {
  const where = `${status} ${code}: ${res.text.slice(0, 300)}`;
  expect(res.status, where).toBe(status);
  expect(res.headers.get('content-type'), where).toMatch(/^application\/json/);
  expect(res.body, where).toBeTypeOf('object');
  expect(res.body.code, where).toBe(code);
  expect(res.body.message, where).toBeTypeOf('string');
  expect(res.body.message.length, where).toBeGreaterThan(0);
  expect(res.text, where).not.toMatch(/\bstack\b|\n\s+at |node_modules|\.ts:\d+/);
}
