import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for Meta's Graph API (WhatsApp Cloud API), speaking its wire format over
 * real HTTP on 127.0.0.1. Routes are `[method, pattern, handler]` rows, so more endpoints (e.g.
 * `POST /:phoneNumberId/messages`, signed webhooks back to the gateway) can be added with `route`.
 *
 * Built in: `GET /:version?/:wabaId/message_templates` with Bearer auth (OAuthException 190 on a
 * wrong token), Meta's cursor paging (`paging.cursors`, `paging.next` only when there is more).
 * Every request is recorded; `failNext` makes the next matching request answer a Meta error.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  body: unknown;
}

export interface FakeRequest extends RecordedRequest {
  params: string[];
}

export interface FakeResponse {
  status: number;
  body: unknown;
}

export type Handler = (request: FakeRequest) => FakeResponse | Promise<FakeResponse>;

export interface MetaError {
  message: string;
  type: string;
  code: number;
  error_subcode?: number;
}

const VERSION = '(?:/v\\d+\\.\\d+)?';

export const metaError = (status: number, error: MetaError): FakeResponse => ({
  status,
  body: { error: { ...error, fbtrace_id: `AbC${Math.random().toString(36).slice(2, 12)}` } },
});

export class FakeCloudApi {
  /** Access tokens the fake accepts. */
  readonly accessTokens = new Set<string>();
  /** Message templates by WhatsApp Business Account id, in Meta's shape. */
  readonly templates = new Map<string, Record<string, unknown>[]>();
  readonly requests: RecordedRequest[] = [];
  /** The most items a page holds, whatever `limit` asks (Meta caps pages too). */
  maxPageSize = 25;

  private readonly routes: { method: string; pattern: RegExp; handler: Handler }[] = [];
  private readonly failures: { pattern: RegExp; response: FakeResponse }[] = [];
  private server: Server | undefined;
  private baseUrl = '';

  constructor() {
    this.route('GET', new RegExp(`^${VERSION}/(\\d+)/message_templates$`), (r) =>
      this.listTemplates(r),
    );
  }

  /** Adds an endpoint; `pattern` matches the path, its groups become `params`. */
  route(method: string, pattern: RegExp, handler: Handler): void {
    this.routes.push({ method, pattern, handler });
  }

  /** The next request whose path matches `pattern` answers `response` instead. */
  failNext(pattern: RegExp, response: FakeResponse): void {
    this.failures.push({ pattern, response });
  }

  /** Starts listening; resolves to the Graph URL to configure, e.g. http://127.0.0.1:5555/v21.0. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return `${this.baseUrl}/v21.0`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // kept as text
    }
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      authorization: req.headers.authorization,
      body,
    };
    this.requests.push(recorded);
    const answer = await this.answer(recorded, url);
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
  }

  private async answer(request: RecordedRequest, url: URL): Promise<FakeResponse> {
    const failure = this.failures.findIndex((f) => f.pattern.test(request.path));
    if (failure >= 0) return this.failures.splice(failure, 1)[0]!.response;
    const route = this.routes.find(
      (r) => r.method === request.method && r.pattern.test(url.pathname),
    );
    if (!route) {
      return metaError(400, {
        message: `Unknown path components: ${url.pathname}`,
        type: 'OAuthException',
        code: 2500,
      });
    }
    const token = /^Bearer (.+)$/.exec(request.authorization ?? '')?.[1];
    if (!token || !this.accessTokens.has(token)) {
      return metaError(401, {
        message: 'Invalid OAuth access token - Cannot parse access token',
        type: 'OAuthException',
        code: 190,
      });
    }
    const params = route.pattern.exec(url.pathname)!.slice(1);
    return route.handler({ ...request, params });
  }

  private listTemplates(request: FakeRequest): FakeResponse {
    const wabaId = request.params[0]!;
    const all = this.templates.get(wabaId);
    if (!all) {
      return metaError(400, {
        message: `Unsupported get request. Object with ID '${wabaId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
        type: 'GraphMethodException',
        code: 100,
        error_subcode: 33,
      });
    }
    const limit = Math.min(Number(request.query.get('limit') ?? 25) || 25, this.maxPageSize);
    const after = request.query.get('after');
    const start = after ? Number(Buffer.from(after, 'base64url').toString()) + 1 : 0;
    const fields = request.query.get('fields')?.split(',');
    const data = all
      .slice(start, start + limit)
      .map((t) =>
        fields ? Object.fromEntries(fields.filter((f) => f in t).map((f) => [f, t[f]])) : t,
      );
    const cursor = (index: number) => Buffer.from(String(index)).toString('base64url');
    const paging: Record<string, unknown> = {
      cursors: { before: cursor(start), after: cursor(start + data.length - 1) },
    };
    if (start + data.length < all.length) {
      const next = new URL(`${this.baseUrl}${request.path}`);
      for (const [k, v] of request.query) next.searchParams.set(k, v);
      next.searchParams.set('after', cursor(start + data.length - 1));
      paging.next = next.toString();
    }
    return { status: 200, body: data.length > 0 ? { data, paging } : { data: [] } };
  }
}
