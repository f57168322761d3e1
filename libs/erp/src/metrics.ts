import { Counter, Gauge, Histogram } from 'prom-client';

/**
 * ERP calls by operation and outcome (`ok` or the error class), their latency, in-flight slots per
 * endpoint, confirmations per posting request, and the breaker.
 */
export const erpMetrics = {
  requests: new Counter({
    name: 'plantbridge_erp_requests_total',
    help: 'ERP calls by operation and outcome (ok or the error class)',
    labelNames: ['operation', 'outcome'],
  }),
  requestSeconds: new Histogram({
    name: 'plantbridge_erp_request_seconds',
    help: 'ERP call latency including retries and waiting for an in-flight slot',
    labelNames: ['operation'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  }),
  maxInFlight: new Gauge({
    name: 'plantbridge_erp_max_in_flight',
    help: 'ERP calls allowed at once per endpoint (OData service)',
    labelNames: ['endpoint'],
  }),
  inFlight: new Gauge({
    name: 'plantbridge_erp_in_flight',
    help: 'ERP calls under way per endpoint (OData service)',
    labelNames: ['endpoint'],
  }),
  waiting: new Gauge({
    name: 'plantbridge_erp_waiting',
    help: 'ERP calls waiting for an in-flight slot per endpoint (OData service)',
    labelNames: ['endpoint'],
  }),
  postingsPerRequest: new Histogram({
    name: 'plantbridge_erp_postings_per_request',
    help: 'Confirmations per ERP posting request ($batch); small ones behind a slow ERP mean too few slots are filled',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
  }),
  breakerState: new Gauge({
    name: 'plantbridge_erp_circuit_state',
    help: 'ERP circuit breaker: 0 closed, 1 half-open, 2 open, 3 isolated',
  }),
};
