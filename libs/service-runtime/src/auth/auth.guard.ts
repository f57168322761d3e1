import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Injectable,
  Logger,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Caller, mayTouchPlant, type RequestWithCaller } from './caller';
import { RateLimiter } from './rate-limiter';
import { PUBLIC_METADATA, SCOPE_METADATA, type Scope } from './scopes';
import { InvalidTokenError, type TokenVerifier } from './token-verifier';

export interface AuthSettings {
  /** Undefined with AUTH_MODE=none: nobody is asked for a token. */
  verifier?: TokenVerifier;
  /** MANAGEMENT_ACCESS=open: routes needing `management:read` are open. */
  managementOpen: boolean;
  /**
   * The plant this deployment serves (PLANT_ID): a route without a `plant` parameter (the edge
   * gateway's, /metrics) still touches this plant's data, so the token must grant it too.
   */
  servedPlant: string;
  limiter: RateLimiter;
}

/**
 * Refused tokens each address may send: a bad token costs a signature check (0.23 ms of CPU), so
 * past 20 a second, with 50 at once, an address gets 429 before its token is looked at.
 */
const REFUSALS_PER_S = 20;
const REFUSALS_BURST = 50;

export interface HttpRequest extends RequestWithCaller {
  headers: Record<string, string | string[] | undefined>;
  params?: unknown;
  ip?: string;
}

export interface HttpReply {
  header(name: string, value: string): unknown;
}

const REALM = 'Bearer realm="plantbridge"';

/**
 * Decides whether a request may do what needs `scope`: a bearer token verified by TokenVerifier,
 * the scope among the token's, the request's `plant` (else the served plant) among the token's
 * plants, and the caller's rate limit. No token or a bad one is 401 with `WWW-Authenticate`; a
 * missing scope or plant is 403 naming it; past the rate limit 429 with `Retry-After`; the issuer's
 * keys out of reach 503. The AuthGuard asks it for every route; the API documents' hook for those.
 */
export class Authenticator {
  private readonly logger = new Logger(Authenticator.name);
  private readonly refusals = new RateLimiter(REFUSALS_PER_S, REFUSALS_BURST);

  constructor(private readonly settings: AuthSettings) {
    if (!settings.verifier) this.logger.warn('AUTH_MODE=none: every caller may do everything');
  }

  async authorize(scope: Scope, request: HttpRequest, reply: HttpReply, plant?: string): Promise<void> {
    if (scope === 'management:read' && this.settings.managementOpen) return;
    const verifier = this.settings.verifier;
    if (!verifier) return this.withinRate(request.ip ?? 'anonymous', reply);
    const address = request.ip ?? 'unknown';
    this.refuseIfOver(this.refusals.waitFor(address), reply);
    const caller = await this.authenticate(verifier, request, reply).catch((error: unknown) => {
      if (error instanceof UnauthorizedException) this.refusals.take(address);
      throw error;
    });
    if (!caller.scopes.has(scope)) {
      reply.header('WWW-Authenticate', `${REALM}, error="insufficient_scope", scope="${scope}"`);
      throw new ForbiddenException(`the token lacks the scope ${scope}`);
    }
    const touched = plant ?? this.settings.servedPlant;
    if (!mayTouchPlant(caller, touched)) {
      throw new ForbiddenException(`the token does not grant plant ${touched}`);
    }
    request.caller = caller;
    this.withinRate(caller.subject, reply);
  }

  private async authenticate(
    verifier: TokenVerifier,
    request: HttpRequest,
    reply: HttpReply,
  ): Promise<Caller> {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer +([\x21-\x7e]+) *$/i.exec(header) : null;
    if (!match) {
      reply.header('WWW-Authenticate', REALM);
      throw new UnauthorizedException(
        header === undefined
          ? 'a bearer token is required'
          : 'the Authorization header must be "Bearer <token>"',
      );
    }
    try {
      return await verifier.verify(match[1]);
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) {
        this.logger.warn(`a token could not be verified: ${String(error)}`);
        throw new ServiceUnavailableException(
          "the token cannot be verified now: the issuer's keys are out of reach",
        );
      }
      reply.header(
        'WWW-Authenticate',
        `${REALM}, error="invalid_token", error_description="${error.message}"`,
      );
      throw new UnauthorizedException(error.message);
    }
  }

  private withinRate(client: string, reply: HttpReply): void {
    this.refuseIfOver(this.settings.limiter.take(client), reply);
  }

  private refuseIfOver(waitS: number, reply: HttpReply): void {
    if (waitS === 0) return;
    reply.header('Retry-After', String(waitS));
    throw new HttpException(
      {
        statusCode: 429,
        error: 'Too Many Requests',
        message: `rate limit of this client: retry in ${waitS} s`,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/**
 * Every HTTP route asks who is calling (PlatformModule installs this guard globally): the
 * Authenticator with the route's scope (`@RequiresScope`) and its `plant` path parameter. A route
 * that declares neither a scope nor `@Public()` is refused, so a new route is closed until it says
 * who may call it. JetStream handlers are not HTTP and pass.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_METADATA, targets)) return true;
    const scope = this.reflector.getAllAndOverride<Scope | undefined>(SCOPE_METADATA, targets);
    if (!scope) throw new ForbiddenException('this route declares no scope, so nobody may call it');
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const plant = (request.params as Record<string, string | undefined> | undefined)?.plant;
    await this.authenticator.authorize(
      scope,
      request,
      context.switchToHttp().getResponse<HttpReply>(),
      plant,
    );
    return true;
  }
}
