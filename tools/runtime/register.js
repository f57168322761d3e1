// Runs Plantbridge's TypeScript sources directly: `node -r ./tools/runtime/register.js apps/<app>/src/main.ts`.
// swc transpiles each .ts file as it is required (no type check: `npm run typecheck` does that), and
// the tsconfig path aliases resolve @plantbridge/* to the libraries' sources.
//
// A bare require hook (pirates) rather than ts-node, which loads the TypeScript compiler into every
// process (about 45 MB of resident memory per service). Transpiled files are cached on disk by
// content, so a process whose sources were seen before never loads swc either (another 25 MB or so,
// and a faster start). The inline source maps are used only when node runs with
// --enable-source-maps (for debugging): Node's source-map support makes each new Error costly, and
// node-opcua creates many; it halves a client's notification rate.
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { addHook } = require('pirates');
const swcOptions = require('./swc-options');

const root = path.resolve(__dirname, '../..');
const { compilerOptions } = require(path.join(root, 'tsconfig.base.json'));
const cacheDir = path.join(root, 'node_modules/.cache/plantbridge-ts');
const optionsKey = JSON.stringify([swcOptions, require('@swc/core/package.json').version]);

function transpile(code, filename) {
  const key = createHash('sha256').update(optionsKey).update(filename).update(code).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return readFileSync(cached, 'utf8');
  } catch {
    const output = require('@swc/core').transformSync(code, { ...swcOptions, filename }).code;
    mkdirSync(cacheDir, { recursive: true });
    const partial = `${cached}.${process.pid}.tmp`; // renamed into place: readers never see half a file
    writeFileSync(partial, output);
    renameSync(partial, cached);
    return output;
  }
}

addHook(transpile, { exts: ['.ts'], ignoreNodeModules: true });
require('tsconfig-paths').register({ baseUrl: root, paths: compilerOptions.paths });
