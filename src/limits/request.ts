import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

const GRAPHQL_PATH = /^\/api\/v1\/[^/]+\/graphql\/?$/;

/**
 * A request whose body is refused unread cannot carry another one: its refusal says
 * `Connection: close`, and node closes the socket once the answer is sent. Left open, the unread
 * rest of a chunked body stalls the connection; a declared length would be drained to its end.
 */
export const CLOSE_CONNECTION = { connection: 'close' } as const;

/**
 * The body, read up to `maxBytes` and no further: undefined as soon as it exceeds them (the rest
 * is left unread), or at once when the declared Content-Length does. Never buffers more than
 * `maxBytes` plus one chunk.
 */
export async function readBodyWithin(
  request: Request,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) return undefined;
  if (!request.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    size += next.value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(next.value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/**
 * Refuses a GraphQL request whose body exceeds `maxBytes` before it is parsed: QUERY_TOO_COMPLEX,
 * HTTP 400, with a JSON error (API.md counts size limits as QUERY_TOO_COMPLEX), and the connection
 * closed (CLOSE_CONNECTION). A declared Content-Length is checked at once; a chunked body is read
 * up to the limit and no further.
 */
export function useBodyLimit(maxBytes: number): Plugin {
  return {
    async onRequest({ request, url, setRequest, endResponse, fetchAPI }) {
      if (!GRAPHQL_PATH.test(url.pathname) || !request.body) return;
      const refuse = (size: string) =>
        endResponse(
          new fetchAPI.Response(
            JSON.stringify({
              errors: [
                {
                  message: `Request body of ${size} bytes exceeds the limit of ${maxBytes} bytes.`,
                  extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'bodyBytes', maximum: maxBytes },
                },
              ],
            }),
            {
              status: 400,
              headers: { 'content-type': 'application/json; charset=utf-8', ...CLOSE_CONNECTION },
            },
          ),
        );
      const declared = request.headers.get('content-length');
      if (declared !== null) {
        // Node's HTTP parser reads no more than the declared length.
        if (Number(declared) > maxBytes) refuse(declared);
        return;
      }
      const body = await readBodyWithin(request, maxBytes);
      if (!body) {
        refuse(`more than ${maxBytes}`);
        return;
      }
      const headers = new fetchAPI.Headers(request.headers);
      headers.delete('transfer-encoding');
      headers.set('content-length', String(body.byteLength));
      setRequest(new fetchAPI.Request(request.url, { method: request.method, headers, body }));
    },
  };
}

/**
 * Browsers may send "simple" requests (a GET, or a form POST) cross-site without a CORS preflight;
 * yoga's CSRF prevention refuses those (403) unless they carry a header a page cannot set
 * cross-site without one. Every real client sends `Authorization` (GraphiQL and the settings page
 * included), so it counts; JSON POSTs are preflighted and pass as they are.
 */
export const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'authorization'];

export function useCsrfPrevention(): Plugin {
  const { onRequestParse } = useCSRFPrevention({ requestHeaders: CSRF_HEADERS });
  return {
    // yoga's refusal (403) has no code and does not say which headers would do: BAD_REQUEST.
    async onRequestParse(payload) {
      try {
        return await onRequestParse?.(payload);
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        throw createGraphQLError(
          'Required CSRF header not present: send Authorization or x-graphql-yoga-csrf.',
          { extensions: { code: 'BAD_REQUEST', http: { status: 403 } } },
        );
      }
    },
  };
}

/**
 * yoga parses the `variables` and `extensions` of a GET (and of a form POST) with a bare
 * JSON.parse, so invalid JSON there was a 500. It is a 400 BAD_REQUEST request error, as invalid
 * JSON in a POST body is.
 */
export function useRequestParamsCheck(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
          throw createGraphQLError(`Request parameters sent invalid JSON: ${error.message}`, {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        }
      });
    },
  };
}
