// How Plantbridge's TypeScript is transpiled, for the runtime hook (register.js) and for jest: the
// same swc settings in both, so code runs the same in tests and in services. NestJS needs legacy
// decorators with emitted metadata (constructor injection reads the parameter types).
module.exports = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
