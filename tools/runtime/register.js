// Runs Plantbridge's TypeScript sources directly: `node -r ./tools/runtime/register.js apps/<app>/src/main.ts`.
// swc transpiles each .ts file as it is required (no type check: `npm run typecheck` does that), and
// the tsconfig path aliases resolve @plantbridge/* to the libraries' sources. A bare require hook
// (pirates) rather than ts-node: ts-node loads the TypeScript compiler into every process, about
// 45 MB of resident memory per service for nothing. The inline source maps are used only when node
// runs with --enable-source-maps (for debugging): Node's source-map support makes each new Error
// costly, and node-opcua creates many; it halves a client's notification rate.
const path = require('node:path');
const { transformSync } = require('@swc/core');
const { addHook } = require('pirates');
const swcOptions = require('./swc-options');

const root = path.resolve(__dirname, '../..');
const { compilerOptions } = require(path.join(root, 'tsconfig.base.json'));

addHook((code, filename) => transformSync(code, { ...swcOptions, filename }).code, {
  exts: ['.ts'],
  ignoreNodeModules: true,
});
require('tsconfig-paths').register({ baseUrl: root, paths: compilerOptions.paths });
