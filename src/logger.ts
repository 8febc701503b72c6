import { pino, type Logger } from 'pino';
import type { YogaLogger } from 'graphql-yoga';

/**
 * JSON logs on stdout. Secrets never reach them: the Authorization header and connection params
 * are redacted wherever they appear.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', '*.authorization', 'authorization', 'token', 'adminKey'],
      censor: '[redacted]',
    },
  });
}

export function yogaLogger(logger: Logger): YogaLogger {
  return {
    debug: (...args: unknown[]) => logger.debug({ args }, 'yoga'),
    info: (...args: unknown[]) => logger.info({ args }, 'yoga'),
    warn: (...args: unknown[]) => logger.warn({ args }, 'yoga'),
    error: (...args: unknown[]) => logger.error({ args }, 'yoga'),
  };
}
