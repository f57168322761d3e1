// Integration tests: *.integration-spec.ts against the real NATS JetStream (NATS_URL, default
// nats://127.0.0.1:4222) and PostgreSQL (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test).
module.exports = {
  ...require('./jest.preset'),
  displayName: 'integration',
  testMatch: ['<rootDir>/{apps,libs,tools}/**/*.integration-spec.ts'],
  testTimeout: 60_000,
  slowTestThreshold: 20,
};
