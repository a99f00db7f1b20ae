// The replica of issue 15's dev server: node's http server, drizzle ORM over a mysql2 pool made from
// DATABASE_URL (its size from the URL's connectionLimit, else the driver's default of 10; like the
// report's app it does not read DB_CONNECTION_LIMIT), an in-memory cache of "LLM" translations and
// large JSON responses built per request. Knobs (environment, with defaults):
//   PORT (3000), CACHE_MIB (200: the cache's cap, its live set once warm), ENTRY_KIB (256: one
//   translation's size), PRELOAD_MIB (CACHE_MIB: the app's UI strings translated into the cache at
//   start, so that the live set is back within seconds of each tsx restart), BIG_JSON_ROWS (20000:
//   rows in a /api/report response), LLM_DELAY_MS (20).
import http from 'node:http';
import v8 from 'node:v8';
import { createHash } from 'node:crypto';
import mysql from 'mysql2';
import { drizzle } from 'drizzle-orm/mysql2';
import { desc, eq, sql } from 'drizzle-orm';
import { translations } from './schema.ts';
import { TranslationCache, simulateTranslation } from './cache.ts';
import { revision } from './revision.ts';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const port = num('PORT', 3000);
const entryKib = num('ENTRY_KIB', 256);
const bigJsonRows = num('BIG_JSON_ROWS', 20000);
const llmDelayMs = num('LLM_DELAY_MS', 20);
const cacheMib = num('CACHE_MIB', 200);
const preloadMib = num('PRELOAD_MIB', cacheMib);
const cache = new TranslationCache(cacheMib * 1024 * 1024);

if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is not set');
const pool = mysql.createPool(process.env.DATABASE_URL);
const db = drizzle(pool.promise() as any);
const startedAt = Date.now();

const keyOf = (text: string, lang: string) => createHash('sha256').update(`${lang}\0${text}`).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// /api/translate?text=...&lang=...: the cached result, or a new one from the "LLM", stored in the
// table and the cache.
async function translate(url: URL) {
  const text = url.searchParams.get('text') ?? 'hello';
  const lang = url.searchParams.get('lang') ?? 'de';
  const key = keyOf(text, lang);
  let result = cache.get(key);
  if (!result) {
    await sleep(llmDelayMs);
    result = simulateTranslation(key, lang, entryKib);
    const summary = result.segments[0].text.slice(0, 200);
    await db.insert(translations).values({ cacheKey: key, lang, source: text, summary, bytes: result.bytes });
    cache.set(result);
  }
  const rows = await db.select({ id: translations.id }).from(translations).where(eq(translations.cacheKey, key)).limit(1);
  return { key, lang, cached: rows.length > 0, segments: result.segments.length, preview: result.segments[0].text.slice(0, 64) };
}

// /api/report: a large JSON document per request (short-lived garbage; the string itself is big
// enough for V8's large-object space), from recent rows plus computed ones.
async function report() {
  const recent = await db.select().from(translations).orderBy(desc(translations.id)).limit(50);
  const rows = new Array(bigJsonRows);
  for (let i = 0; i < bigJsonRows; i++) {
    const r = recent[i % Math.max(recent.length, 1)];
    rows[i] = { i, key: r?.cacheKey ?? null, lang: r?.lang ?? 'en', score: Math.random(), label: `row-${i}-${revision}` };
  }
  return JSON.stringify({ generatedAt: new Date().toISOString(), count: rows.length, rows });
}

async function dbStats() {
  const [row] = await db.select({ n: sql<number>`count(*)`, bytes: sql<number>`coalesce(sum(${translations.bytes}), 0)` }).from(translations);
  return { rows: Number(row.n), bytes: Number(row.bytes) };
}

function health() {
  const m = process.memoryUsage();
  return { revision, pid: process.pid, uptimeMs: Date.now() - startedAt, heapUsed: m.heapUsed, rss: m.rss, cache: cache.stats() };
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  try {
    let body: string;
    if (url.pathname === '/api/translate') body = JSON.stringify(await translate(url));
    else if (url.pathname === '/api/report') body = await report();
    else if (url.pathname === '/api/db') body = JSON.stringify(await dbStats());
    else if (url.pathname === '/health') body = JSON.stringify(health());
    else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  } catch (e) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e));
  }
});

// The UI strings' translations, as a dev server of a translated app warms its cache at start.
for (let i = 0; i < (preloadMib * 1024) / entryKib; i++) {
  const key = keyOf(`ui-string-${i}`, 'de');
  cache.set(simulateTranslation(key, 'de', entryKib));
}

server.listen(port, '127.0.0.1', () => {
  const limit = (pool as any).config?.connectionLimit;
  const heap = Math.round(v8.getHeapStatistics().heap_size_limit / 1048576);
  console.log(`seed-app listening on ${port} revision=${revision} pid=${process.pid} heap_limit=${heap} pool=${limit} cache_mib=${cache.stats().bytes >> 20} heap_used=${process.memoryUsage().heapUsed >> 20} node_options=${process.env.NODE_OPTIONS ?? ''}`);
});

// tsx watch sends SIGTERM before it restarts the server: close the pool and go.
process.on('SIGTERM', () => {
  server.close();
  pool.end(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
});
