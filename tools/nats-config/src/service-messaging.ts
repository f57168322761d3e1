import type { Capability } from '@plantbridge/canonical-model';

/**
 * What each service publishes (its own capabilities) and consumes (its handlers' filters, every
 * optional handler on). `nats-config.spec.ts` checks the consumed filters against the services'
 * own `@OnEvent` declarations, so this cannot drift from them.
 */
export const SERVICE_MESSAGING: Record<string, { publishes: Capability[]; consumes: string[] }> = {
  'edge-gateway': {
    publishes: ['equipment', 'telemetry'],
    consumes: ['mfg.production.v1.*.operation-started', 'mfg.production.v1.*.operation-completed'],
  },
  'production-order-sync': {
    publishes: ['production'],
    consumes: [
      'mfg.equipment.v1.*.production-counted',
      'mfg.production.v1.*.operation-confirmed',
      'mfg.production.v1.*.confirmation-retry-requested',
      'mfg.production.v1.*.confirmation-discarded',
    ],
  },
  'inventory-movement': {
    publishes: ['inventory'],
    consumes: [
      'mfg.inventory.v1.*.material-movement-requested',
      'mfg.inventory.v1.*.material-movement-retry-requested',
      'mfg.inventory.v1.*.material-movement-discarded',
      'mfg.production.v1.*.order-released',
      'mfg.production.v1.*.operation-confirmed',
      'mfg.production.v1.*.confirmation-posted',
    ],
  },
  'quality-events': { publishes: ['quality'], consumes: [] },
  'maintenance-routing': { publishes: ['maintenance'], consumes: [] },
};
