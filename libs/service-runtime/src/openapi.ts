import { HttpException, type INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import type { Authenticator, HttpRequest } from './auth/auth.guard';
import { SCOPES, SECURITY_SCHEME } from './auth/scopes';

export interface OpenApiInfo {
  title: string;
  description: string;
  version: string;
}

/** Where the Swagger UI is served. */
export const DOCS_PATH = 'docs';

/**
 * The OpenAPI document generated from the controllers: JSON at `/openapi.json`, a browser UI at
 * `/docs`. It declares the bearer tokens routes take (OAuth 2.0 client credentials from the plant's
 * OIDC provider) with every scope, and each route the scope it needs. Given the service's
 * Authenticator, reading them takes the `management:read` scope (unless MANAGEMENT_ACCESS=open).
 */
export function serveOpenApi(app: INestApplication, info: OpenApiInfo, authenticator?: Authenticator): void {
  const config = new DocumentBuilder()
    .setTitle(info.title)
    .setDescription(info.description)
    .setVersion(info.version)
    .addOAuth2(
      {
        type: 'oauth2',
        description: "A JWT from the plant's OIDC provider: its `scope` and `plants` claims decide",
        flows: { clientCredentials: { tokenUrl: '/token (your OIDC provider)', scopes: { ...SCOPES } } },
      },
      SECURITY_SCHEME,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config);
  if (authenticator) guardDocuments(app, authenticator);
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
  });
}

const DOCUMENTS = /^\/(docs|openapi\.json|openapi\.yaml)([/?#]|$)/;

/** Swagger serves the documents outside Nest's routing, so its guard does not see them: a hook does. */
function guardDocuments(app: INestApplication, authenticator: Authenticator): void {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  fastify.addHook('onRequest', async (request, reply) => {
    // The route Fastify matched, not the raw URL: it decodes `/%64ocs` to `/docs` before matching.
    if (!DOCUMENTS.test(request.routeOptions.url ?? request.url)) return;
    try {
      await authenticator.authorize('management:read', request as unknown as HttpRequest, reply);
    } catch (error) {
      if (!(error instanceof HttpException)) throw error;
      await reply.code(error.getStatus()).send(error.getResponse());
    }
  });
}
