// Steady traffic for the replica, run outside the container: RPS requests a second for SECONDS,
// mixing new translations (cache misses: a new entry, old ones evicted), repeated ones (hits), big
// JSON reports and DB queries. Prints one JSON summary line at the end (or on SIGTERM).
// usage: node loadgen.mjs URL RPS SECONDS
const [base = 'http://127.0.0.1:3000', rps = '10', seconds = '60'] = process.argv.slice(2);
const timeoutMs = 10000;
const counts = { sent: 0, ok: 0, failed: 0, refused: 0, byPath: {} };
let next = 0;

function pick(i) {
  const r = i % 10;
  if (r < 4) return `/api/translate?text=new-${i}&lang=${['de', 'fr', 'ja'][i % 3]}`;
  if (r < 6) return `/api/translate?text=new-${Math.max(0, i - 10 - (i % 40))}&lang=de`;
  if (r < 9) return '/api/report';
  return '/api/db';
}

async function one(i) {
  const path = pick(i);
  const kind = path.split('?')[0];
  const by = (counts.byPath[kind] ??= { ok: 0, failed: 0 });
  counts.sent++;
  try {
    const res = await fetch(base + path, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    if (res.ok) { counts.ok++; by.ok++; } else { counts.failed++; by.failed++; }
  } catch (e) {
    counts.failed++; by.failed++;
    if (String(e?.cause?.code ?? '').includes('ECONNREFUSED')) counts.refused++;
  }
}

const inflight = new Set();
const timer = setInterval(() => {
  const p = one(next++);
  inflight.add(p);
  p.finally(() => inflight.delete(p));
}, 1000 / Number(rps));
const done = async () => {
  clearInterval(timer);
  await Promise.race([Promise.allSettled([...inflight]), new Promise((r) => setTimeout(r, timeoutMs))]);
  console.log(JSON.stringify(counts));
  process.exit(0);
};
setTimeout(done, Number(seconds) * 1000);
process.on('SIGTERM', done);
