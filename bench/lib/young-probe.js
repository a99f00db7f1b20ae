// bench/node-versions' probe: what V8 gave this node. heap_size_limit is old space plus the young
// generation V8 reserves beside it; with CHURN set, short-lived garbage (a tenth of it surviving a
// while) makes V8 grow its new space, and the largest new_space size seen is printed too.
const v8 = require('v8');
const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
let newMax = newSpace();
if (process.env.CHURN) {
  let keep = [];
  const end = Date.now() + Number(process.env.CHURN) * 1000;
  while (Date.now() < end) {
    for (let i = 0; i < 20000; i++) {
      const o = { a: i, b: [i, i + 1], c: 'x' + i };
      if (i % 10 === 0) keep.push(o);
    }
    if (keep.length > 100000) keep = [];
    newMax = Math.max(newMax, newSpace());
  }
}
console.log(JSON.stringify({
  version: process.version,
  heap_size_limit_mib: v8.getHeapStatistics().heap_size_limit / 1048576,
  new_space_max_mib: newMax / 1048576,
  node_options: process.env.NODE_OPTIONS ?? '',
}));
