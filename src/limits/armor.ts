import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import {
  type DocumentNode,
  GraphQLError,
  Lexer,
  parse,
  Source,
  TokenKind,
  type ValidationContext,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.js';
import { apiError } from '../errors.js';

/**
 * The document limits, enforced by graphql-armor while parsing (tokens) and validating (depth,
 * aliases, directives), before anything is authenticated or run. A refusal is QUERY_TOO_COMPLEX,
 * HTTP 400, naming the limit, e.g. "Query depth limit of 12 exceeded, found 13.", with
 * `extensions.limit` and `extensions.maximum`. Introspection (GraphiQL's schema query) is exempt
 * from the depth limit. The cost limit is not armor's: it is computed with the variables, in the
 * same measure as the rate limit (src/limits/plugin.ts).
 *
 * Before any of that, checkTokens reads the document with the lexer alone: too many tokens, or
 * brackets nested deeper than maxNesting (limit `nesting`), are refused there. The parser recurses
 * once per level, and a few thousand levels, well within the token limit, overflowed the stack (a
 * 500); armor's own token limit stays as a second line.
 *
 * In production, validation errors do not suggest field names ("Did you mean …").
 */
export function useQueryLimits(config: Config): Plugin {
  const { maxDepth, maxAliases, maxTokens, maxDirectives } = config.limits;
  const armor = EnvelopArmorPlugin({
    maxTokens: { n: maxTokens, ...refusal('tokens', maxTokens) },
    maxDepth: { n: maxDepth, flattenFragments: true, ...refusal('depth', maxDepth) },
    maxAliases: { n: maxAliases, ...refusal('aliases', maxAliases) },
    maxDirectives: { n: maxDirectives, ...refusal('directives', maxDirectives) },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: config.production, mask: '' },
  }) as Plugin;
  return {
    onPluginInit: ({ addPlugin }) => addPlugin(armor),
    onParse: ({ params }) => checkTokens(config, params.source),
  };
}

/** How deep `{`, `[` and `(` may nest: far more than any query within the depth limit needs. */
export const maxNesting = (config: Config) => Math.max(100, 4 * config.limits.maxDepth);

const OPENING = new Set<TokenKind>([TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L]);
const CLOSING = new Set<TokenKind>([TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R]);

/**
 * Refuses (QUERY_TOO_COMPLEX) a document of more tokens than the limit, or whose brackets nest
 * deeper than maxNesting, reading it with the lexer only (no recursion) and no further than the
 * token limit. Syntax errors are left to the parser. Thrown from `onParse` itself, the refusal
 * keeps its 400 for an `Accept: application/json` client too (yoga answers errors thrown by the
 * parse function with 200 there, as the GraphQL over HTTP spec asks of syntax errors).
 */
function checkTokens(config: Config, source: string | Source): void {
  const { maxTokens } = config.limits;
  const maximum = maxNesting(config);
  const lexer = new Lexer(typeof source === 'string' ? new Source(source) : source);
  let depth = 0;
  let tokens = 0;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      if (++tokens > maxTokens) break;
      if (OPENING.has(token.kind)) depth++;
      else if (CLOSING.has(token.kind)) depth--;
      if (depth > maximum) break;
    }
  } catch {
    return;
  }
  if (tokens > maxTokens) throw tooManyTokens(maxTokens);
  if (depth > maximum) {
    throw apiError('QUERY_TOO_COMPLEX', `Query nesting limit of ${maximum} exceeded.`, {
      limit: 'nesting',
      maximum,
    });
  }
}

const tooManyTokens = (maxTokens: number) =>
  apiError('QUERY_TOO_COMPLEX', `Token limit of ${maxTokens} exceeded.`, {
    limit: 'tokens',
    maximum: maxTokens,
  });

/**
 * `parse` with the token limit, for the graphql-ws path (which parses before it has yoga's
 * enveloped functions; it validates with `enveloped.validate`, so the other limits apply there).
 * Throws GraphQLError: a syntax error, or QUERY_TOO_COMPLEX like armor's.
 */
export function parseWithLimits(config: Config, source: string): DocumentNode {
  const { maxTokens } = config.limits;
  checkTokens(config, source);
  try {
    return parse(source, { maxTokens });
  } catch (error) {
    if (error instanceof GraphQLError && /contains more th\w+ \d+ tokens/.test(error.message)) {
      throw tooManyTokens(maxTokens);
    }
    throw error;
  }
}

/** Turns armor's rejection into ours; parse-time rejections (no validation context) are thrown. */
function refusal(limit: string, maximum: number) {
  return {
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        const message = error.message.replace(/^Syntax Error: /, '');
        const refused = apiError('QUERY_TOO_COMPLEX', message, { limit, maximum });
        if (!context) throw refused;
        context.reportError(refused);
      },
    ],
  };
}
