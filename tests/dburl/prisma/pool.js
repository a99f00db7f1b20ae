// tests/dburl/prisma/pool.js URL MONITOR_URL: Prisma 7's client over @prisma/adapter-mariadb given
// URL as a DATABASE_URL string, `new PrismaMariaDb(process.env.DATABASE_URL)`, fires 50 concurrent
// `SELECT SLEEP(0.2)` ($queryRaw), each holding a connection 200 ms, while a separate connection
// (MONITOR_URL, the mariadb driver alone) samples the server's Threads_connected every 10 ms.
// Prints one JSON line: the connections the server saw from the client once connected (the mariadb
// driver opens its whole pool at once) and at the peak, both without the sampler's own, the wall
// time, the rows a findMany read (the generated client really ran), anything printed on the console,
// or the error. NODE_PATH: the packages of tests/dburl/prisma, with the client generated.
'use strict';
const { PrismaClient } = require('@prisma/client');
const { PrismaMariaDb } = require('@prisma/adapter-mariadb');
const mariadb = require('mariadb');
const samplePeak = require('../peak');

const QUERIES = 50;

(async () => {
  const [url, monitorUrl] = process.argv.slice(2);
  const monitor = await mariadb.createConnection(monitorUrl);
  const connected = async () => Number((await monitor.query("SHOW STATUS LIKE 'Threads_connected'"))[0].Value);
  const before = await connected();
  const stopSampling = samplePeak(connected, before);
  const printed = [];
  for (const level of ['log', 'info', 'warn', 'error'])
    console[level] = (...a) => printed.push(a.join(' '));
  const result = {};
  const prisma = new PrismaClient({ adapter: new PrismaMariaDb(url) });
  try {
    await prisma.$connect();
    await new Promise((r) => setTimeout(r, 300));
    result.after_connect = (await connected()) - before;
    const start = Date.now();
    await Promise.all(Array.from({ length: QUERIES }, () => prisma.$queryRaw`SELECT SLEEP(0.2)`));
    result.wall_ms = Date.now() - start;
    result.rows = (await prisma.item.findMany()).length;
  } catch (e) {
    result.error = e.message.split('\n')[0];
  }
  result.peak = (await stopSampling()) - before;
  result.printed = printed;
  await prisma.$disconnect().catch(() => {});
  await monitor.end();
  process.stdout.write(JSON.stringify(result) + '\n');
})().catch((e) => {
  process.stderr.write(`${e.stack}\n`);
  process.exit(1);
});
