import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../core/errors.js';
import type { CompiledModel } from '../model/compiled/types.js';
import { moduleRolesOf, openContext } from '../security/contexts.js';
import type { SecurityService, SessionsService } from '../security/services.js';
import type { UserContext } from '../security/user-context.js';

/** What a published service says about who may call it. */
export interface ServiceAuthentication {
  readonly authentication: readonly ('basic' | 'session' | 'custom')[];
  /** Qualified module roles; empty = any user. */
  readonly allowedRoles: readonly string[];
  /** Shown as the Basic realm. */
  readonly location: string;
}

/**
 * A custom authentication microflow (published REST): the caller, undefined to try
 * the next method, or 'answered' when it answered the request itself.
 */
export type CustomAuthentication = (request: FastifyRequest, reply: FastifyReply) => Promise<UserContext | undefined | 'answered'>;

export interface AuthenticationDeps {
  readonly model: CompiledModel;
  readonly sessions: SessionsService | undefined;
  readonly security: SecurityService | undefined;
}

/**
 * Authenticates requests to a published service (REST or OData) in Mendix's
 * order: the custom microflow (REST), Basic (when the request carries it; wrong credentials are a 401 and
 * the session is not tried), then the active session with its X-Csrf-Token
 * header; a service without authentication runs as the anonymous user. The
 * user must have one of the service's allowed roles (403).
 */
export class ServiceAuthenticator {
  private readonly anonymous: UserContext;

  constructor(
    private readonly service: ServiceAuthentication,
    private readonly deps: AuthenticationDeps,
    private readonly custom?: CustomAuthentication,
  ) {
    const { model } = deps;
    const role = model.security.anonymousRole;
    this.anonymous =
      model.security.level === 'off'
        ? openContext(model)
        : {
            userId: null,
            userName: null,
            userEntity: null,
            userRoles: role ? [role] : [],
            moduleRoles: moduleRolesOf(model, role ? [role] : []),
            sessionId: null,
            sessionObjectId: null,
            timeZone: 'UTC',
            applyEntityAccess: model.security.level === 'production',
            anonymous: true,
          };
  }

  /** The caller, or 'answered' when a custom authentication microflow answered the request itself. */
  async authenticate(request: FastifyRequest, reply: FastifyReply): Promise<UserContext | 'answered'> {
    const svc = this.service;
    const { model, sessions, security } = this.deps;
    if (model.security.level === 'off') return openContext(model);
    let user: UserContext | undefined;
    if (svc.authentication.length === 0) user = this.anonymous;
    if (!user && this.custom) {
      const custom = await this.custom(request, reply);
      if (custom === 'answered') return custom;
      user = custom;
    }
    const header = request.headers.authorization;
    if (!user && svc.authentication.includes('basic') && typeof header === 'string' && /^basic /i.test(header)) {
      const text = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
      const colon = text.indexOf(':');
      if (colon > 0 && sessions?.authenticateBasic) user = await sessions.authenticateBasic(request, text.slice(0, colon), text.slice(colon + 1));
      if (!user) return this.refuse(reply, 'wrong user name or password');
    }
    if (!user && svc.authentication.includes('session') && sessions) {
      const ctx = await sessions.contextOf(request);
      if (ctx) {
        const expected = await sessions.csrfTokenOf(request);
        const given = request.headers['x-csrf-token'];
        if (!expected || typeof given !== 'string' || !sameText(given, expected)) return this.refuse(reply, 'a session needs its X-Csrf-Token header');
        user = ctx;
      }
    }
    if (!user) return this.refuse(reply, 'authentication required');
    request.serviceUser = user.userName;
    if (svc.allowedRoles.length > 0 && !(security?.hasAnyRole(user, svc.allowedRoles) ?? svc.allowedRoles.some((r) => user!.moduleRoles.has(r))))
      throw new HttpError(403, 'not allowed');
    return user;
  }

  private refuse(reply: FastifyReply, message: string): never {
    if (this.service.authentication.includes('basic')) reply.header('WWW-Authenticate', `Basic realm="${this.service.location}", charset="UTF-8"`);
    throw new HttpError(401, message);
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
