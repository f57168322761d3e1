import { Counter, Histogram } from 'prom-client';

/** Prometheus metrics of every consumer in the process, on the default registry that `/metrics` serves. */
export const consumerMetrics = {
  settled: new Counter({
    name: 'plantbridge_messages_settled_total',
    help: 'Messages handled by a consumer, by how they were settled (ack, retry, dead-letter)',
    labelNames: ['durable', 'settlement'] as const,
  }),
  deadLetterFailures: new Counter({
    name: 'plantbridge_dead_letter_failures_total',
    help:
      'Messages terminated although dead-lettering did not complete: step "copy" when the DLQ copy ' +
      'could not be stored, "hook" when the dead-letter hook kept failing. The reason is in the ERROR log',
    labelNames: ['durable', 'step'] as const,
  }),
  handleSeconds: new Histogram({
    name: 'plantbridge_message_handle_seconds',
    help: 'Time from delivery to settlement',
    labelNames: ['durable'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  }),
};
