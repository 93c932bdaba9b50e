import { timingSafeEqual } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database, IdGenerator } from '../data/index.js';
import type { RuntimeComponent, RuntimeContext } from '../core/runtime-context.js';
import { UserError } from '../model/diagnostics.js';
import { HttpError } from '../core/errors.js';
import { xasAction, type XasDispatcher } from '../http/xas.js';
import { LoginRequest, PlainRequest } from '../http/xas-wire.js';
import { clearSessionCookie, readCookie, setSessionCookie, SESSION_COOKIE } from './sessions/cookies.js';
import { SessionManager, type ActiveSession } from './sessions/session-manager.js';
import { SessionStore } from './sessions/session-store.js';
import { bootstrapUsers, withStartupLock } from './bootstrap.js';
import { openContext } from './contexts.js';
import { dataLayerWriter } from './data-writer.js';
import { canCallMicroflow, canOpenPage, hasAnyRole } from './document-access.js';
import { entityAccess } from './entity-access.js';
import { hashChangedHashedStrings, usersDisabledBy } from './hashed-strings.js';
import { LoginService } from './login-service.js';
import { checkCost, hashPassword, verifyPassword } from './password.js';
import { assertPasswordAllowed, passwordProblems } from './password-policy.js';
import { SECURITY_SERVICE, SESSIONS_SERVICE, type SecurityService, type SessionsService } from './services.js';
import { SystemTables } from './system-tables.js';
import { UserStore } from './user-store.js';

/** The one answer to every failed login, whatever the reason. */
export const LOGIN_FAILED = { error: 'The user name or password is incorrect.' } as const;

/**
 * The security component: users and roles at start-up, login and logout on
 * /xas/, a guard that resolves every /xas/ request's session and checks the
 * CSRF token of state-changing actions, the periodic session flush and
 * clean-up. Provides services 'security' and 'sessions' (services.ts).
 */
export function securityComponent(): RuntimeComponent {
  const timers: NodeJS.Timeout[] = [];
  let sessions: SessionManager | undefined;
  return {
    name: 'security',
    async start(ctx) {
      const { model, settings } = ctx;
      const log = ctx.log.child({ node: 'Security' });
      const cost = checkCost(settings.get('HashAlgorithmCost') ?? 12);
      const timeoutMs = settings.get('SessionTimeout') ?? 600000;
      const flushMs = settings.get('SessionKeepAliveUpdatesInterval') ?? 100000;
      const validationMs = settings.get('SessionValidationTimeout') ?? 30000;
      // As in Mendix: unset, the clean-up runs twice per session timeout, so an expired
      // session row (or a block that ran out) lingers at most half a timeout.
      const cleanupMs = settings.get('ClusterManagerActionInterval') ?? Math.max(1, Math.floor(timeoutMs / 2));
      if (flushMs >= timeoutMs) {
        throw new UserError(`SessionKeepAliveUpdatesInterval (${flushMs}) must be smaller than SessionTimeout (${timeoutMs}), or active sessions would expire`);
      }
      const db = ctx.services.require('db');
      const writer = dataLayerWriter(model, db, ctx.services.require('ids'));
      const tables = new SystemTables(model, db.dialect);
      const users = new UserStore(db, tables, writer);
      const store = new SessionStore(db, tables, writer);
      sessions = new SessionManager(store, model, { timeoutMs, validationMs });
      const mgr = sessions;
      const policy = {
        maxAttempts: settings.get('LoginMaxAttempts') ?? 3,
        blockDurationMs: settings.get('LoginBlockDuration') ?? 300000,
        blockingEnabled: model.security.level === 'production',
      };
      const login = new LoginService(users, mgr, model, policy, cost, ctx.log.child({ node: 'Login' }));

      await withStartupLock(db, () => bootstrapUsers(model, users, cost, log));
      await login.warmUp();

      const off = model.security.level === 'off';
      const open = openContext(model);
      const resolved = new WeakMap<FastifyRequest, Promise<ActiveSession | undefined>>();
      const resolveSession = (request: FastifyRequest): Promise<ActiveSession | undefined> => {
        let p = resolved.get(request);
        if (!p) {
          const id = readCookie(request, SESSION_COOKIE);
          p = id ? mgr.resolve(id) : Promise.resolve(undefined);
          resolved.set(request, p);
        }
        return p;
      };
      const anonymousRole = model.security.anonymousRole;
      const sessionsService: SessionsService = {
        resolveSession,
        resolveSessionId: (id) => mgr.resolve(id),
        async contextOf(request) {
          if (off) return open;
          return (await resolveSession(request))?.context;
        },
        async resolve(request) {
          if (off) return open;
          return (await resolveSession(request))?.context ?? null;
        },
        async ensureContext(request, reply) {
          if (off) return open;
          const s = await resolveSession(request);
          if (s || !anonymousRole) return s?.context;
          const roleIds = await users.ensureUserRoles([anonymousRole]);
          const name = `Anonymous_${randomUUID()}`;
          const id = await users.create({ name, passwordHash: null, roleIds: [roleIds.get(anonymousRole)!], isAnonymous: true });
          const created = await mgr.create({ id, name, entity: 'System.User', roles: [anonymousRole], anonymous: true });
          resolved.set(request, Promise.resolve(created));
          setSessionCookie(request, reply, created.sessionId);
          return created.context;
        },
        async csrfTokenOf(request) {
          return (await resolveSession(request))?.csrfToken;
        },
        endAllOf: (userId) => mgr.endAllOf(userId),
        flush: () => mgr.flush(),
        async cleanup() {
          const r = await mgr.cleanup();
          const unblocked = await users.unblockExpired(new Date(Date.now() - policy.blockDurationMs));
          return { ...r, unblocked };
        },
      };
      const securityService: SecurityService = {
        entityAccess: (user, entity) => entityAccess(model, user, entity),
        canOpenPage: (user, page) => canOpenPage(model, user, page),
        canCallMicroflow: (user, mf) => canCallMicroflow(model, user, mf),
        hasAnyRole: (user, roles) => hasAnyRole(model, user, roles),
        passwordProblems: (pw) => passwordProblems(model.security.passwordPolicy, pw),
        async hashNewPassword(pw) {
          assertPasswordAllowed(model.security.passwordPolicy, pw);
          return hashPassword(pw, cost);
        },
        verifyPassword,
        async beforeCommit(objects, tx) {
          const problems = await hashChangedHashedStrings(model, objects, model.security.passwordPolicy, cost);
          if (problems.length) return problems;
          const disabled = usersDisabledBy(model, objects);
          for (const id of disabled) await mgr.endAllOf(id, tx);
          return [];
        },
      };
      ctx.services.set(SESSIONS_SERVICE, sessionsService);
      ctx.services.set('requestUser', async (request) => (off ? null : (await resolveSession(request))?.context.userName ?? null));
      ctx.services.set(SECURITY_SERVICE, securityService);

      const xas = ctx.services.require('xas');
      xas.register('login', xasAction(LoginRequest, {
        requiresCsrf: false,
        malformed: (field) => new HttpError(400, 'malformed login: params.username and params.password must be strings', { field }),
        async handler(body, request, reply) {
          if (off) return reply.code(400).send({ error: 'login is not available: the app\'s security level is off' });
          const { params } = body;
          const result = await login.login(params.username, params.password);
          if (!result.ok) return reply.code(401).send(LOGIN_FAILED);
          // No fixation: whatever session the browser held (anonymous or another user's) ends here.
          const old = readCookie(request, SESSION_COOKIE);
          if (old) await mgr.end(old);
          setSessionCookie(request, reply, result.session.sessionId);
          return reply.code(200).send({ csrftoken: result.session.csrfToken });
        },
      }));
      xas.register('logout', xasAction(PlainRequest, {
        requiresCsrf: true,
        async handler(_body, request, reply) {
          const s = await resolveSession(request);
          if (s) await mgr.end(s.sessionId);
          clearSessionCookie(request, reply);
          return reply.code(200).send({});
        },
      }));
      xas.addGuard(async (_name, action, request, reply) => {
        if (off || !action.requiresCsrf) return true;
        const s = await resolveSession(request);
        if (!s) {
          await reply.code(401).send({ error: 'no valid session: log in (again)' });
          return false;
        }
        const header = request.headers['x-csrf-token'];
        if (typeof header !== 'string' || !sameToken(header, s.csrfToken)) {
          await reply.code(403).send({ error: 'missing or invalid CSRF token (header X-Csrf-Token)' });
          return false;
        }
        return true;
      });

      const every = (ms: number, what: string, fn: () => Promise<unknown>) => {
        const t = setInterval(() => { fn().catch((e) => log.error({ err: e }, `${what} failed`)); }, ms);
        t.unref();
        timers.push(t);
      };
      every(flushMs, 'session keep-alive flush', () => mgr.flush());
      every(cleanupMs, 'session clean-up', async () => {
        const r = await sessionsService.cleanup();
        if (r.expired || r.disabled || r.unblocked || r.anonymousUsers) log.info(r, 'clean-up');
      });
    },
    async stop(ctx: RuntimeContext) {
      for (const t of timers) clearInterval(t);
      timers.length = 0;
      // Activity seen here since the last flush still counts on the other instances.
      await sessions?.flush().catch((e) => ctx.log.error({ err: e }, 'session flush at shut-down failed'));
    },
  };
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
