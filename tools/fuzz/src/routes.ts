import fc from 'fast-check';
import { orderRoutes } from './order-routes';
import { enc, noBody, optional, pick, type RouteSpec, type ServiceName } from './route-spec';

export type { FuzzTargets, RouteSpec, ServiceName } from './route-spec';

/** Every service has these (libs/service-runtime). */
function platformRoutes(service: ServiceName): RouteSpec[] {
  return ['/health/live', '/health/ready', '/metrics'].map((template) => ({
    name: `GET ${template} (${service})`,
    service,
    method: 'GET',
    template,
    valid: () => fc.constant(noBody),
  }));
}

function edgeRoutes(): RouteSpec[] {
  return [
    {
      name: 'GET opcua endpoints',
      service: 'edge',
      method: 'GET',
      template: '/v1/opcua/endpoints',
      valid: () => fc.constant(noBody),
    },
    {
      name: 'GET opcua browse',
      service: 'edge',
      method: 'GET',
      template: '/v1/opcua/endpoints/:id/browse',
      query: { nodeId: {}, maxReferences: {}, continuationPoint: {} },
      valid: (t) =>
        fc
          .tuple(optional(pick(t.nodeIds)), optional(fc.integer({ min: 1, max: 1000 })))
          .map(([nodeId, max]) => ({
            params: { id: enc(t.endpointId) },
            query: [
              ...(nodeId ? [['nodeId', enc(nodeId)] as [string, string]] : []),
              ...(max ? [['maxReferences', String(max)] as [string, string]] : []),
            ],
          })),
    },
    ...['/v1/opcua/certificates', '/v1/opcua/certificates/audit'].map(
      (template): RouteSpec => ({
        name: `GET ${template.slice(4)}`,
        service: 'edge',
        method: 'GET',
        template,
        valid: () => fc.constant(noBody),
      }),
    ),
    // Certificates nobody has: trusting or revoking the plant's own server would cut its line off.
    ...(['trust', 'revoke'] as const).map(
      (action): RouteSpec => ({
        name: `POST opcua certificate ${action}`,
        service: 'edge',
        method: 'POST',
        template: `/v1/opcua/certificates/:thumbprint/${action}`,
        idempotent: true,
        valid: () =>
          fc.stringMatching(/^[0-9a-f]{40}$/).map((thumbprint) => ({ params: { thumbprint }, query: [] })),
      }),
    ),
  ];
}

/** Every REST route of production-order-sync and edge-gateway. New routes join here. */
export const ROUTES: RouteSpec[] = [
  ...orderRoutes(),
  ...platformRoutes('orders'),
  ...edgeRoutes(),
  ...platformRoutes('edge'),
];
