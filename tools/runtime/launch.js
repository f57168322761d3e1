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
  // POST p99 of 29-39 ms instead of 71-138 ms, for about 90 MB more resident memory.
  'apps/production-order-sync/src/main.ts': ['--max-semi-space-size=64'],
  // A goods movement's request makes the same kinds of short-lived objects as a confirmation's.
  'apps/inventory-movement/src/main.ts': ['--max-semi-space-size=64'],
  // At 100,000 monitored items the gateway's live heap is about 160 MB (a heap snapshot: node-opcua's
  // monitored items most of it), but V8, with gigabytes of room, left the garbage of subscribing and
  // of the samples uncollected: 760-810 MB resident. Capped, it collects sooner: bench:edge measured
  // 369 MB peak and 0.53x instead of 0.33x the raw client's changes/s at 100,000 changes/s offered.
  // Mappings far beyond 200,000 items need more: NODE_OPTIONS=--max-old-space-size=<MB> wins.
  'apps/edge-gateway/src/main.ts': ['--max-old-space-size=448'],
};

/** A flag's name: `--max-old-space-size` of `--max-old-space-size=448`. */
const flagName = (flag) => flag.split('=')[0];

/**
 * The node arguments that run `entry` (relative to the repository root) with `args`. A flag the
 * process's NODE_OPTIONS sets already is left out: on the command line it would override them.
 */
function nodeArgsFor(entry, args = [], nodeOptions = process.env.NODE_OPTIONS ?? '') {
  const relative = path.relative(root, path.resolve(root, entry)).split(path.sep).join('/');
  const given = new Set(nodeOptions.split(/\s+/).filter(Boolean).map(flagName));
  return [
    ...(V8_FLAGS[relative] ?? []).filter((flag) => !given.has(flagName(flag))),
    '-r',
    path.join(__dirname, 'register.js'),
    path.join(root, relative),
    ...args,
  ];
}

module.exports = { nodeArgsFor };
