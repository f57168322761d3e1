// Shared jest settings. @swc/jest transpiles only (fast); `npm run typecheck` is what type-checks.
const { compilerOptions } = require('./tsconfig.base.json');
const swcOptions = require('./tools/runtime/swc-options');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias.replace(/[/\-]/g, (c) => `\\${c}`)}$`,
    `<rootDir>/${target}`,
  ]),
);

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  transform: {
    '^.+\\.ts$': ['@swc/jest', swcOptions],
    // hexy (used by node-opcua) is ESM-only: compiled to CommonJS for jest.
    '/node_modules/hexy/.+\\.js$': ['@swc/jest', { module: { type: 'commonjs' } }],
  },
  // node-opcua depends on hexy, which is ESM-only.
  transformIgnorePatterns: ['/node_modules/(?!hexy/)'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.data/'],
  setupFiles: ['<rootDir>/jest.setup.js'],
};
