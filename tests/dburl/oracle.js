// The real drivers as the oracle for nodeguard's DATABASE_URL rewrite (src/core/dburl.c).
// usage: node oracle.js REWRITE_BINARY [SEED COUNT]   (NODE_PATH: the drivers, tests/dburl/package.json)
// Generated URLs go through nodeguard's rewrite (the binary built from tests/dburl/rewrite.c), then the
// original and the rewritten URL through each driver: mysql2's createPool(url), drizzle-orm's
// drizzle(url) and drizzle({connection: url}) over mysql2, pg's Pool and Client({connectionString}),
// postgres.js's postgres(url). A case passes when the pool size the driver takes from the rewritten
// URL is the one nodeguard says it set (or the original's when it set none), everything else the
// driver reads (user, password, host, port, database, the other parameters, the startup options sent
// to the server) is unchanged, and the rewrite makes the driver neither throw nor warn. Then
// connections counted by a local TCP server: the pool size each driver really uses.
// Output: TSV lines "ok|fail|info<TAB>name<TAB>detail", as tests/differential's tools.
'use strict';
const { spawnSync } = require('child_process');
const net = require('net');
const mysql = require('mysql2');
const { drizzle } = require('drizzle-orm/mysql2');
const pg = require('pg');
const postgres = require('postgres');

const LIMIT = 5;
const [binary, seedArg, countArg] = process.argv.slice(2);
let seed = Number(seedArg || 1);
const count = Number(countArg || 300);
const out = (kind, name, detail = '') =>
  process.stdout.write(`${kind}\t${name}\t${String(detail).replace(/[\t\n]/g, ' ')}\n`);

function random(n) {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
}
const pick = (list) => list[random(list.length)];

const SCHEMES = ['mysql', 'MySQL', 'mysql2', 'mariadb', 'postgres', 'postgresql', 'redis'];
// Passwords with ? # & =: percent-encoded as they must be, and raw (which the drivers misread alike
// before and after the rewrite).
const USERINFO = ['', 'u@', 'u:p@', 'u:p%3F%23%26%3D@', 'us%40er:pa%3As@', 'u:@', 'u:p&w=x@', 'u:p%25@', 'u:p?w@', 'u:p#w@'];
const HOSTS = ['db', 'db:3307', '[::1]', '[::1]:3307', '10.0.0.1', 'localhost:5433'];
const PATHS = ['', '/', '/app', '/my%20db', '/a-b_c'];
const QUERIES = ['', '?', '?ssl=true', '?a=1&b=2', '?x=%26y%3D', '?charset=utf8mb4&', '?connectionLimit=3',
  '?connection_limit=3', '?CONNECTION_LIMIT=4', '?connection%5Flimit=2', '?max=2', '?sslmode=require',
  '?connectionLimit=3&connectionLimit=7', '?application_name=x', '?timezone=Z&maxIdle=2'];
const FRAGMENTS = ['', '#frag', '#a?b&connectionLimit=1'];

function cases() {
  const fixed = ['mysql://u:p@db/app', 'postgres://u:p@db/app', 'postgresql://u:p@db/app?schema=s',
    'mysql://u:p@db/app?connection_limit=3', 'mariadb://db/app#x', 'no-scheme-at-all',
    'mysql://' + 'a'.repeat(5000) + '/app'];
  const list = [...fixed];
  for (let i = 0; i < count; i++)
    list.push(`${pick(SCHEMES)}://${pick(USERINFO)}${pick(HOSTS)}${pick(PATHS)}${pick(QUERIES)}${pick(FRAGMENTS)}`);
  return list;
}

// nodeguard's rewrite of every case in both modes: [{mode, url, outcome, param, after}].
function rewriteAll(urls) {
  const modes = ['auto', 'prisma'];
  const input = modes.flatMap((m) => urls.map((u) => `${m}\t${LIMIT}\t${u}\n`)).join('');
  const r = spawnSync(binary, [], { input, maxBuffer: 64 << 20 });
  if (r.status !== 0)
    throw new Error(`${binary} exited ${r.status}: ${r.stderr}`);
  const lines = r.stdout.toString().split('\n');
  return modes.flatMap((mode, mi) => urls.map((url, i) => {
    const [outcome, param, after] = lines[mi * urls.length + i].split('\t');
    return { mode, url, outcome, param, after };
  }));
}

// What mysql2 prints on stderr while it reads a URL (console.error), and the result or the throw.
function quietly(fn) {
  const warnings = [];
  const saved = console.error;
  console.error = (...a) => warnings.push(a.join(' '));
  try {
    return { value: fn(), warnings };
  } catch (e) {
    return { error: e.message, warnings };
  } finally {
    console.error = saved;
  }
}

// An object's data, without functions or the back reference mysql2's config keeps to its pool.
const plain = (o) =>
  JSON.parse(JSON.stringify(o, (k, v) => (typeof v === 'function' || (k === 'pool' && typeof v === 'object') ? undefined : v)));
const mysqlView = (pool) => {
  const c = pool.config;
  const cc = c.connectionConfig;
  const view = { pool: c.connectionLimit, who: [cc.user, cc.password, cc.host, cc.port, cc.database],
    rest: plain({ ...c, connectionLimit: 0, maxIdle: 0 }) };
  pool.end(() => {});
  return view;
};

// Each driver: which schemes it serves, and url -> {pool, rest}: the pool size it takes and everything
// else it reads from the URL. expects: the parameter nodeguard must have set for it to take the size.
const DRIVERS = [
  { name: 'mysql2 createPool(url)', schemes: ['mysql', 'mysql2', 'mariadb'], param: 'connectionLimit',
    read: (u) => mysqlView(mysql.createPool(u)) },
  { name: 'drizzle(url) over mysql2', schemes: ['mysql', 'mysql2', 'mariadb'], param: 'connectionLimit',
    read: (u) => mysqlView(drizzle(u).$client) },
  { name: 'drizzle({connection: url}) over mysql2', schemes: ['mysql', 'mysql2', 'mariadb'],
    param: 'connectionLimit', read: (u) => mysqlView(drizzle({ connection: u }).$client) },
  { name: 'pg Pool({connectionString})', schemes: ['postgres', 'postgresql'], param: null,
    read: (u) => {
      const pool = new pg.Pool({ connectionString: u });
      const client = new pg.Client({ connectionString: u });
      const p = client.connectionParameters;
      return { pool: pool.options.max, who: [p.user, p.password, p.host, p.port, p.database],
        rest: { ...plain(p), password: p.password, startup: client.getStartupConf() } };
    } },
  { name: 'postgres.js postgres(url)', schemes: ['postgres', 'postgresql'], param: 'max',
    read: (u) => {
      const o = postgres(u).options;
      return { pool: o.max, who: [o.user, o.pass, o.host, o.port, o.database],
        rest: plain({ ...o, max: 0, max_lifetime: 0, backoff: 0, shared: 0 }) };
    } },
];

function checkCase(c, results) {
  const scheme = (c.url.match(/^([A-Za-z][A-Za-z0-9+.-]*):\/\//) || [])[1];
  const after = c.outcome === 'set' ? c.after : c.url;
  if (c.outcome === 'set' && !after.startsWith(c.url.split('#')[0]))
    return results.push(['fail', `${c.mode} ${c.url}: the rewrite changed the URL before its end`, after]);
  for (const d of DRIVERS) {
    const served = scheme && d.schemes.includes(scheme.toLowerCase());
    const before = quietly(() => d.read(c.url));
    const now = quietly(() => d.read(after));
    const name = `${c.mode} ${d.name} ${c.url}`;
    if (before.error) {
      results.unreadable[d.name] = (results.unreadable[d.name] || 0) + 1;
      if (!now.error)
        results.push(['fail', `${name}: the original throws, the rewrite does not`, before.error]);
      continue;
    }
    if (now.error) {
      results.push(['fail', `${name}: the rewritten URL throws`, now.error]);
      continue;
    }
    const who = JSON.stringify(before.value.who) === JSON.stringify(now.value.who);
    const rest = JSON.stringify(before.value.rest) === JSON.stringify(now.value.rest);
    const wantPool = c.outcome === 'set' && c.param.split(',').includes(d.param) ? LIMIT : before.value.pool;
    const newWarnings = now.warnings.length - before.warnings.length;
    // In mode prisma the operator says the app is Prisma: other drivers' complaints are expected.
    const strict = served && c.mode === 'auto';
    if (String(now.value.pool) !== String(wantPool))
      results.push(['fail', `${name}: pool ${now.value.pool}, nodeguard says ${wantPool}`, after]);
    else if (!who)
      results.push(['fail', `${name}: the rewrite changed user, password, host, port or database`,
        `${JSON.stringify(before.value.who)} -> ${JSON.stringify(now.value.who)}`]);
    else if (!rest && (strict || c.outcome !== 'set'))
      results.push(['fail', `${name}: the rewrite changed what the driver reads besides the pool size`,
        `${JSON.stringify(before.value.rest)} -> ${JSON.stringify(now.value.rest)}`]);
    else if (newWarnings > 0 && strict)
      results.push(['fail', `${name}: the rewrite makes the driver warn`, now.warnings.join(' | ')]);
    else
      results.push(['ok']);
    if (served && c.outcome === 'set' && c.param.split(',').includes(d.param))
      results.counts[d.name] = (results.counts[d.name] || 0) + 1;
  }
}

// Connections a driver really opens for a URL: a local server accepts and counts them (and never
// answers), while 4 x LIMIT queries wait for a connection.
async function connectionsOpened(open) {
  const sockets = new Set();
  const server = net.createServer((s) => sockets.add(s));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  const done = open(port);
  await new Promise((r) => setTimeout(r, 700));
  const n = sockets.size;
  for (const s of sockets) s.destroy();
  server.close();
  done.catch(() => {}); // not awaited: postgres.js goes on reconnecting for minutes; the run exits

  return n;
}

async function realPools() {
  console.error = () => {}; // the warnings were checked above
  const q = (n, fn) => Promise.allSettled(Array.from({ length: n }, fn));
  const mysqlPool = (url) => (port) => {
    const pool = mysql.createPool(url.replace('PORT', port));
    return q(4 * LIMIT, () => pool.promise().query('SELECT 1')).then(() => pool.end());
  };
  const drizzlePool = (url) => (port) => {
    const db = drizzle({ connection: url.replace('PORT', port) });
    return q(4 * LIMIT, () => db.$client.promise().query('SELECT 1')).then(() => db.$client.end());
  };
  const pgPool = (url) => (port) => {
    const pool = new pg.Pool({ connectionString: url.replace('PORT', port), connectionTimeoutMillis: 1500 });
    return q(4 * LIMIT, () => pool.query('SELECT 1')).then(() => pool.end());
  };
  const pgjs = (url) => (port) => {
    const sql = postgres(url.replace('PORT', port), { connect_timeout: 1 });
    return q(4 * LIMIT, () => sql`SELECT 1`).then(() => sql.end({ timeout: 0 }));
  };
  const mysqlUrl = 'mysql://u:p@127.0.0.1:PORT/app';
  const rewritten = rewriteAll([mysqlUrl])[0];
  const checks = [
    ['mysql2, the URL as given', mysqlPool(mysqlUrl), 10],
    ['mysql2, the URL nodeguard rewrote', mysqlPool(rewritten.after), LIMIT],
    ['drizzle({connection}) over mysql2, the URL nodeguard rewrote', drizzlePool(rewritten.after), LIMIT],
    ['mysql2 with Prisma\'s connection_limit', mysqlPool(mysqlUrl + '?connection_limit=' + LIMIT), 10],
    ['pg with connection_limit (no URL parameter sets its pool)', pgPool('postgres://u:p@127.0.0.1:PORT/app?connection_limit=' + LIMIT), 10],
    // postgres.js keeps a URL's max a string: [...Array("5")] is one connection.
    ['postgres.js with ?max=' + LIMIT, pgjs('postgres://u:p@127.0.0.1:PORT/app?max=' + LIMIT), 1],
  ];
  for (const [name, open, want] of checks) {
    const n = await connectionsOpened(open);
    out(n === want ? 'ok' : 'fail', `connections opened: ${name}: ${n}`, n === want ? '' : `want ${want}`);
  }
}

// The first bytes a PostgreSQL driver sends a server for a URL: its startup message, which names every
// parameter the server is to set (a server refuses one it does not know).
async function startupMessage(open) {
  let bytes = Buffer.alloc(0);
  const server = net.createServer((s) => s.on('data', (d) => (bytes = Buffer.concat([bytes, d]))));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const done = open(server.address().port);
  await new Promise((r) => setTimeout(r, 400));
  server.close();
  done.catch(() => {});
  return bytes.toString('latin1');
}

// What each driver does with the parameters in question, each as a check of its own (docs/configuration.md).
async function facts() {
  const fact = (name, ok, detail = '') => out(ok ? 'ok' : 'fail', `driver fact: ${name}`, ok ? '' : detail);
  const m = (u) => quietly(() => mysqlView(mysql.createPool(u)));
  let r = m('mysql://db/app?connection_limit=3');
  fact('mysql2 ignores connection_limit, with a warning on stderr', r.value.pool === 10 && r.warnings.length === 1, JSON.stringify(r));
  r = m('mysql://db/app?ConnectionLimit=3');
  fact('mysql2 reads connectionLimit only so spelled', r.value.pool === 10 && r.warnings.length === 1, JSON.stringify(r));
  r = m('mysql://db/app?connectionLimit=3&connectionLimit=7');
  fact('mysql2 takes the first of two connectionLimit', r.value.pool === 3, JSON.stringify(r));
  r = m('mysql://db/app?connectionLimit=abc');
  fact('mysql2 takes its default 10 for a connectionLimit that is no number', r.value.pool === 10, JSON.stringify(r));
  r = m('mysql://db/app?connectionLimit=%35');
  fact('mysql2 reads a percent-encoded value', r.value.pool === 5, JSON.stringify(r));
  const pgjs = postgres('postgres://db/app?max=5&connection_limit=3').options;
  fact('postgres.js keeps a URL\'s max a string', pgjs.max === '5', JSON.stringify(pgjs.max));
  const twice = postgres('postgres://db/app?max=3&max=7').options.max;
  fact('postgres.js takes the last of two max', twice === '7', JSON.stringify(twice));
  fact('postgres.js makes an unknown parameter a startup option', pgjs.connection.connection_limit === '3',
    JSON.stringify(pgjs.connection));
  const pgPool = new pg.Pool({ connectionString: 'postgres://db/app?max=5' });
  fact('pg reads no pool size from the URL (max=5 leaves 10)', pgPool.options.max === 10, pgPool.options.max);
  const pgjsSent = await startupMessage((port) => {
    const sql = postgres(`postgres://u:p@127.0.0.1:${port}/app?connection_limit=3`, { connect_timeout: 1 });
    return sql`SELECT 1`.then(() => sql.end({ timeout: 0 }));
  });
  fact('postgres.js sends connection_limit to the server', pgjsSent.includes('connection_limit\x003\x00'), JSON.stringify(pgjsSent));
  const pgSent = await startupMessage((port) => {
    const c = new pg.Client({ connectionString: `postgres://u:p@127.0.0.1:${port}/app?connection_limit=3` });
    return c.connect();
  });
  fact('pg does not send connection_limit to the server', pgSent.includes('user\x00u\x00') && !pgSent.includes('connection_limit'),
    JSON.stringify(pgSent));
}

(async () => {
  await facts();
  const results = [];
  results.counts = {};
  results.unreadable = {}; // originals the driver throws for: the rewrite must throw too
  const all = rewriteAll(cases());
  for (const c of all) checkCase(c, results);
  const fails = results.filter((r) => r[0] === 'fail');
  for (const f of fails.slice(0, 20)) out(...f);
  const tally = all.reduce((t, c) => ((t[`${c.mode} ${c.outcome}`] = (t[`${c.mode} ${c.outcome}`] || 0) + 1), t), {});
  out('info', `rewrites: ${JSON.stringify(tally)}; pool size taken from nodeguard's parameter: ${JSON.stringify(results.counts)}; originals a driver refuses: ${JSON.stringify(results.unreadable)}`);
  const checked = results.length;
  if (!fails.length)
    out('ok', `${all.length} rewrites x ${DRIVERS.length} drivers (${checked} checks): each driver's pool size is what nodeguard says, the rest of the URL reads the same`);
  else
    out('fail', `${fails.length} of ${checked} driver checks failed (first 20 above)`);
  await realPools();
  process.exit(0);
})().catch((e) => {
  out('fail', 'oracle.js ran', e.stack);
  process.exit(1);
});
