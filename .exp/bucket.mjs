import pg from 'pg';
const c = new pg.Client('postgres://postgres@127.0.0.1:5432/postgres'); await c.connect();
await c.query(`drop table if exists xb; create table xb (t text, b text, available float8, granted bool, updated_at timestamptz, primary key (t,b))`);
const q = `insert into xb as b values ($1,$2,1000,true,now()) on conflict (t,b) do update set available = b.available - 1, granted = true, updated_at = now() returning granted, available`;
async function run(label){ const t=performance.now(); for (let i=0;i<3000;i++) await c.query({name:'x',text:q,values:['a','b']}); console.log(label, ((performance.now()-t)/3000*1000).toFixed(0),'us/stmt'); }
await run('logged'); await run('logged');
await c.query('alter table xb set unlogged'); await run('unlogged'); await run('unlogged');
await c.query('alter table xb set logged'); await c.query('set synchronous_commit=off'); await run('async commit'); 
await c.query('select 1'); const t=performance.now(); for (let i=0;i<3000;i++) await c.query({name:'s',text:'select 1'}); console.log('select 1', ((performance.now()-t)/3000*1000).toFixed(0));
await c.query('drop table xb'); await c.end();
