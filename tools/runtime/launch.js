// How a Plantbridge entry point is started, wherever it is: node with the V8 flags its app needs,
// the TypeScript require hook, then the entry. `npm start`, the tests and the benchmarks all use
// this; a container sets the same flags in NODE_OPTIONS.
const path = require('node:path');

const root = path.resolve(__dirname, '../..');

/** V8 flags by entry point (relative to the repository root). */
const V8_FLAGS = {
  // Every confirmation makes many short-lived objects (HTTP, validation, SQL rows, events). With a
  // 64 MB young generation instead of V8's 16 MB, fewer of them survive into the old generation:
  // bench:orders measured POST to ERP-posted p99 at 1,000/s of 71-104 ms instead of 184-316 ms, and
  // POST p99 of 29-39 ms instead of 71-138 ms, for about 90 MB more resident memory. The edge
  // gateway keeps V8's default: its 300 MB budget has no room for it.
  'apps/production-order-sync/src/main.ts': ['--max-semi-space-size=64'],
};

/** The node arguments that run `entry` (relative to the repository root) with `args`. */
function nodeArgsFor(entry, args = []) {
  const relative = path.relative(root, path.resolve(root, entry)).split(path.sep).join('/');
  return [
    ...(V8_FLAGS[relative] ?? []),
    '-r',
    path.join(__dirname, 'register.js'),
    path.join(root, relative),
    ...args,
  ];
}

module.exports = { nodeArgsFor };
