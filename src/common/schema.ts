import { GraphQLError, Kind } from 'graphql';
import { builder } from '../builder.js';

/** Root types and the pieces every module shares: DateTime, totalCount on connections. */
builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

builder.scalarType('DateTime', {
  description: 'An instant, as an ISO-8601 string with time zone (e.g. 2026-11-25T17:20:00Z).',
  serialize: (value) => (value instanceof Date ? value : new Date(String(value))).toISOString(),
  parseValue: (value) => parseDateTime(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string.');
    return parseDateTime(ast.value);
  },
});

function parseDateTime(value: unknown): Date {
  const date =
    typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) {
    throw new GraphQLError(`Not an ISO-8601 date-time: ${JSON.stringify(value)}.`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return date;
}

builder.globalConnectionField('totalCount', (t) =>
  t.int({
    description: 'All items matching the arguments, across every page.',
    resolve: (connection) => connection.totalCount(),
  }),
);
