// Runs Plantbridge's TypeScript sources directly: `node -r ./tools/runtime/register.js apps/<app>/src/main.ts`.
// swc transpiles (no type check: `npm run typecheck` does that) and the tsconfig path aliases
// resolve @plantbridge/* to the libraries' sources.
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const { compilerOptions } = require(path.join(root, 'tsconfig.base.json'));

require('ts-node').register({
  project: path.join(root, 'tsconfig.json'),
  transpileOnly: true,
  swc: true,
});
require('tsconfig-paths').register({ baseUrl: root, paths: compilerOptions.paths });
