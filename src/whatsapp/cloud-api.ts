/**
 * A small HTTP client for Meta's Graph API (the WhatsApp Cloud API): `request(method, path, …)`
 * against `graphUrl` (config.whatsapp.graphUrl, which carries the API version) with the tenant's
 * Bearer access token. Every failure — Meta's error JSON, a non-JSON answer, a network error or a
 * timeout — is thrown as a CloudApiError; nothing else is thrown.
 */

/** Meta's error object: `{ error: { message, type, code, error_subcode, fbtrace_id } }`. */
export interface MetaErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_user_title?: string;
  error_user_msg?: string;
  error_data?: { details?: string };
  fbtrace_id?: string;
}

export class CloudApiError extends Error {
  override readonly name = 'CloudApiError';
  constructor(
    message: string,
    readonly details: {
      /** The HTTP status Meta answered with; undefined when no answer arrived. */
      httpStatus?: number;
      code?: number;
      type?: string;
      subcode?: number;
      fbtraceId?: string;
      /** Meta's `error_data.details`, e.g. why a message cannot be delivered. */
      details?: string;
    } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Meta's code 190 (and HTTP 401): the access token is invalid or expired. */
  get isAuthError(): boolean {
    return this.details.code === 190 || this.details.httpStatus === 401;
  }
}

export type QueryValue = string | number | boolean | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** Sent as JSON. */
  body?: unknown;
}

/** One page of a Graph API list edge. `paging.next` is present only when there is more. */
export interface Page<T> {
  data: T[];
  paging?: { cursors?: { before?: string; after?: string }; next?: string; previous?: string };
}

export interface CloudApiOptions {
  graphUrl: string;
  accessToken: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Upper bound on pages followed by `list`, against a server that never stops paging. */
const MAX_PAGES = 200;

export class CloudApi {
  private readonly graphUrl: string;
  private readonly accessToken: string;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(options: CloudApiOptions) {
    this.graphUrl = options.graphUrl.replace(/\/+$/, '');
    this.accessToken = options.accessToken;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.fetch = options.fetch ?? fetch;
  }

  /** `path` is relative to graphUrl, e.g. `123/message_templates`; callers encode its segments. */
  async request<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    options: RequestOptions = {},
  ): Promise<T> {
    const url = new URL(`${this.graphUrl}/${path.replace(/^\/+/, '')}`);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.accessToken}`,
      accept: 'application/json',
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await this.fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      throw new CloudApiError(
        timedOut
          ? `The WhatsApp Cloud API did not answer within ${this.timeoutMs / 1000} s.`
          : 'The WhatsApp Cloud API could not be reached.',
        {},
        { cause: error },
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const metaError = (json as { error?: MetaErrorBody } | undefined)?.error;
    if (!response.ok || metaError) {
      throw new CloudApiError(
        metaError?.message ??
          metaError?.error_user_msg ??
          `The WhatsApp Cloud API answered HTTP ${response.status}.`,
        {
          httpStatus: response.status,
          code: metaError?.code,
          type: metaError?.type,
          subcode: metaError?.error_subcode,
          fbtraceId: metaError?.fbtrace_id,
          details: metaError?.error_data?.details,
        },
      );
    }
    if (json === undefined) {
      throw new CloudApiError('The WhatsApp Cloud API answered with something other than JSON.', {
        httpStatus: response.status,
      });
    }
    return json as T;
  }

  /**
   * Every item of a list edge, page by page. Follows `paging.cursors.after` while Meta sends
   * `paging.next`, on our own base URL, so the token is only ever sent to graphUrl.
   */
  async *list<T>(path: string, query: Record<string, QueryValue> = {}): AsyncGenerator<T[]> {
    let after: string | undefined;
    for (let pages = 0; pages < MAX_PAGES; pages += 1) {
      const page = await this.request<Page<T>>('GET', path, { query: { ...query, after } });
      if (!Array.isArray(page.data)) {
        throw new CloudApiError('The WhatsApp Cloud API answered a list without `data`.');
      }
      yield page.data;
      if (!page.paging?.next) return;
      // Stopping early would make a sync treat the unread pages as deleted templates.
      const next = page.paging.cursors?.after;
      if (!next || next === after) {
        throw new CloudApiError(
          'The WhatsApp Cloud API announced a next page without a new cursor.',
        );
      }
      after = next;
    }
    throw new CloudApiError(`The WhatsApp Cloud API listed more than ${MAX_PAGES} pages.`);
  }
}
