// Prints what node actually got: the heap limit V8 applied, the env nodeguard may have set,
// and the title (which shows NODE_OPTIONS was re-parsed as the user meant it).
const v8 = require('v8');
console.log(JSON.stringify({
  heap_size_limit_mib: v8.getHeapStatistics().heap_size_limit / 1048576,
  node_options: process.env.NODE_OPTIONS ?? null,
  db_connection_limit: process.env.DB_CONNECTION_LIMIT ?? null,
  title: process.title,
}));
