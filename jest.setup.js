// Tests never export telemetry unless a test installs an in-memory exporter itself.
process.env.OTEL_SDK_DISABLED = 'true';
require('reflect-metadata');
