import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 ships ESM (.mjs) and CJS; Node loads the CJS one for the libraries, so the tests'
    // own imports must too, or the schema's types come from two "realms".
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    // expect.poll waits for something to happen (an event to arrive, a process to stop); the
    // default 1 s is a timing assumption that a loaded machine breaks. A wait, not a measure.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 60_000,
    // Each file has its own database and server; two cores, so two files at a time.
    maxWorkers: 2,
  },
});
