// bench/dburl-pool.js URL: a mysql2 pool made from URL alone fires 50 concurrent queries that each
// hold their connection 200 ms (SELECT SLEEP(0.2)), while a separate connection samples the server's
// Threads_connected every 10 ms. Prints one JSON line: the pool size mysql2 took from the URL, the
// most connections the server saw for the pool (the sampler's own left out) and the wall time.
'use strict';
const mysql = require('mysql2/promise');
const samplePeak = require('../tests/dburl/peak');

(async () => {
  const url = process.argv[2];
  const monitor = await mysql.createConnection(url.split('?')[0]);
  const connected = async () => Number((await monitor.query("SHOW STATUS LIKE 'Threads_connected'"))[0][0].Value);
  const idle = await connected();
  const stopSampling = samplePeak(connected, idle);
  const pool = mysql.createPool(url);
  const start = Date.now();
  await Promise.all(Array.from({ length: 50 }, () => pool.query('SELECT SLEEP(0.2)')));
  const wallMs = Date.now() - start;
  const peak = await stopSampling();
  console.log(JSON.stringify({ connection_limit: pool.pool.config.connectionLimit,
    max_pool_connections: peak - idle, wall_ms: wallMs }));
  await pool.end();
  await monitor.end();
})().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
