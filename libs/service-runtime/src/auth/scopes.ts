import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';

export const SCOPE_METADATA = 'plantbridge:scope';
export const PUBLIC_METADATA = 'plantbridge:public';
/** The OpenAPI security scheme every route's scopes refer to (see serveOpenApi). */
export const SECURITY_SCHEME = 'plantbridge';

/**
 * The scopes of Plantbridge's routes, `<capability>:<action>`. A token carries them in its `scope`
 * claim (space separated, OAuth 2.0) or `scp` (Entra ID).
 */
export const SCOPES = {
  'orders:read': 'read production orders and their confirmations',
  'orders:write': 'acknowledge or reject orders, start and complete operations',
  'confirmations:write': 'confirm operations (yield, scrap, rework) for posting to ERP',
  'inventory:read': 'read material movements, the stock projection and its reconciliations',
  'movements:write': 'post goods issues, receipts, transfers, scrap and reversals for posting to ERP',
  'stock:reconcile': "compare the stock projection with ERP's stock on demand",
  'erp-postings:read': 'read ERP postings, the exception queue and ERP status',
  'erp-postings:admin': 'retry or discard failed ERP postings',
  'opcua:read': 'read OPC UA endpoints and browse their address space',
  'opcua:admin': 'manage OPC UA certificates and endpoints',
  'management:read': 'read /metrics and the API documents (MANAGEMENT_ACCESS=token)',
} as const;

export type Scope = keyof typeof SCOPES;

/**
 * The scope a route needs; the caller's token must also grant the route's `plant` path parameter.
 * Every route declares one or `@Public()`: the auth guard refuses a route that declares neither.
 */
export const RequiresScope = (scope: Scope) =>
  applyDecorators(
    SetMetadata(SCOPE_METADATA, scope),
    ApiSecurity(SECURITY_SCHEME, [scope]),
    ApiUnauthorizedResponse({ description: 'No bearer token, or one that is not valid' }),
    ApiForbiddenResponse({ description: `The token lacks the scope ${scope} or the plant` }),
  );

/** A route anyone may call: the health probes. */
export const Public = () => SetMetadata(PUBLIC_METADATA, true);
