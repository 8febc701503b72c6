import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';

/** A logger at `warn` for a test app, and the lines it wrote, parsed, in order. */
export function warnLogs(): { logger: Logger; logged: Record<string, any>[] } {
  const logged: Record<string, any>[] = [];
  const sink = new Writable({
    write(line, _encoding, done) {
      logged.push(JSON.parse(String(line)));
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, sink), logged };
}
