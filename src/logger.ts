import { pino, type DestinationStream, type Logger } from 'pino';
import type { YogaLogger } from 'graphql-yoga';

/**
 * JSON logs on stdout. Secrets never reach them: the Authorization header and connection params
 * are redacted wherever they appear. `destination` (default stdout) lets tests read the lines.
 *
 * Stdout is written asynchronously: a line goes out at once when no write is in flight, and the
 * lines logged meanwhile go out together in the next write, so a busy server makes one write for
 * many request logs rather than one system call each (pino's default). pino flushes what is left
 * when the process exits.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: {
      paths: ['req.headers.authorization', '*.authorization', 'authorization', 'token', 'adminKey'],
      censor: '[redacted]',
    },
  };
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}

export function yogaLogger(logger: Logger): YogaLogger {
  return {
    debug: (...args: unknown[]) => logger.debug({ args }, 'yoga'),
    info: (...args: unknown[]) => logger.info({ args }, 'yoga'),
    warn: (...args: unknown[]) => logger.warn({ args }, 'yoga'),
    error: (...args: unknown[]) => logger.error({ args }, 'yoga'),
  };
}
