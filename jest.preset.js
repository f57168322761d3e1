// Shared jest settings. @swc/jest transpiles only (fast); `npm run typecheck` is what type-checks.
const { compilerOptions } = require('./tsconfig.base.json');

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
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
    // hexy (used by node-opcua) is ESM-only: compiled to CommonJS for jest.
    '/node_modules/hexy/.+\\.js$': ['@swc/jest', { module: { type: 'commonjs' } }],
  },
  // node-opcua depends on hexy, which is ESM-only.
  transformIgnorePatterns: ['/node_modules/(?!hexy/)'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.data/'],
  setupFiles: ['<rootDir>/jest.setup.js'],
};
