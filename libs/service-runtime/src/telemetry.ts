/**
 * Starts OpenTelemetry before anything else is loaded, when an exporter is configured with the
 * standard OTEL_* variables. Without one the API stays a no-op and trace context still travels in
 * event envelopes and `traceparent` headers.
 */
export function startTelemetry(serviceName: string): { shutdown(): Promise<void> } {
  const configured = process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_TRACES_EXPORTER;
  if (process.env.OTEL_SDK_DISABLED === 'true' || !configured) return { shutdown: async () => undefined };
  // Loaded lazily: the SDK is large and most test runs do not need it.
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  process.env.OTEL_SERVICE_NAME ??= serviceName;
  const sdk = new NodeSDK();
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
