// samplePeak(read, first): calls read() every 10 ms until the function it returns is called, which
// resolves to the largest value read (first at least). The server's Threads_connected while a pool
// works: bench/dburl-pool.js (mysql2) and tests/dburl/prisma/pool.js (Prisma).
'use strict';
module.exports = function samplePeak(read, first) {
  let peak = first;
  let sampling = true;
  const loop = (async () => {
    while (sampling) {
      peak = Math.max(peak, await read());
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return async () => {
    sampling = false;
    await loop;
    return peak;
  };
};
