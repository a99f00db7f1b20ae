// The options of this node that take the next argument as their value: every option of its own
// table of type integer, unsigned, string, host:port or string list, and the aliases that expand to
// one ("-r", "--print <arg>"). Run with --expose-internals; tests/differential/run compares the list
// with nodeguard's (src/core/nodeopts.c, value_options).
const { internalBinding } = require('internal/test/binding');
const b = internalBinding('options');
const { options, aliases } = b.getCLIOptionsInfo();
const T = b.types;
const valueTypes = [T.kInteger, T.kUInteger, T.kString, T.kHostPort, T.kStringList];
const set = new Set([...options].filter(([, v]) => valueTypes.includes(v.type)).map(([k]) => k));
for (let changed = true; changed;) {
  changed = false;
  for (const [k, exp] of aliases) {
    if (k.endsWith('=')) continue;
    const name = k.replace(/ <arg>$/, '');
    if (!set.has(name) && (k !== name || set.has(exp[exp.length - 1]))) { set.add(name); changed = true; }
  }
}
console.log([...set].sort().join('\n'));
