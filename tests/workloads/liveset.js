// OOM-matrix workload: build a live set of LIVE_MIB MiB of JS heap (a cache of 64 KiB records),
// then serve WORK_SECONDS of "requests": short-lived garbage plus turnover in the cache, as a
// server does. Exits 0 and prints the work done if it survives; V8 or the kernel end it otherwise.
// Under `node --watch` (the two-process case: a watcher parent and this child, as `tsx watch`
// runs), EXIT_PARENT=1 ends the watcher once the work is done, or it would wait for file changes.
const v8 = require('v8');
const MiB = 1 << 20;

const limitMib = v8.getHeapStatistics().heap_size_limit / MiB;
console.log(`start heap_limit=${Math.round(limitMib)} pid=${process.pid}`);
const target = Number(process.env.LIVE_MIB) * MiB;
const workMs = Number(process.env.WORK_SECONDS ?? 3) * 1000;
const record = (i) => new Array(8192).fill(i);
const cache = [];
let i = 0;
while (process.memoryUsage().heapUsed < target) {
  for (let k = 0; k < 16; k++) cache.push(record(i++));
}
let m = process.memoryUsage();
console.log(`built live=${m.heapUsed >> 20} rss=${m.rss >> 20} records=${cache.length}`);
const end = Date.now() + workMs;
let work = 0;
while (Date.now() < end) {
  for (let r = 0; r < 100; r++) {
    const garbage = JSON.stringify({ r, at: Date.now(), body: 'x'.repeat(512) });
    work += garbage.length > 0 ? 1 : 0;
  }
  cache[(work * 7919) % cache.length] = record(work); // turnover: old-space garbage
}
m = process.memoryUsage();
console.log(`done work=${work} heapUsed=${m.heapUsed >> 20} rss=${m.rss >> 20}`);
if (process.env.EXIT_PARENT === '1') process.kill(process.ppid, 'SIGTERM');
