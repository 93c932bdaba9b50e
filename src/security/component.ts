import type { RuntimeComponent, RuntimeContext } from '../core/runtime-context.js';
import { SessionManager } from './sessions/session-manager.js';
import { SessionStore } from './sessions/session-store.js';
import { bootstrapUsers, withStartupLock } from './bootstrap.js';
import { registerChangePassword } from './change-password.js';
import { securityOptions } from './component-options.js';
import { addAnonymousSessionGuard } from './anonymous-sessions.js';
import { deploymentSecret } from './deployment-secret.js';
import { AddressThrottle } from './sessions/address-throttle.js';
import { refuseExposedDefaultAdmin } from './admin-exposure.js';
import { dataLayerWriter } from './data-writer.js';
import { configureHashPool, hashPool } from './hash-pool.js';
import { LoginService } from './login-service.js';
import { serviceUserResolver } from './service-users.js';
import { basicAuthenticator } from './basic-auth.js';
import { LoginThrottle } from './login-throttle.js';
import { securityService } from './security-service.js';
import { SECURITY_SERVICE, SESSIONS_SERVICE } from './services.js';
import { decorateSessionLookup, sessionResolver, sessionsService } from './sessions-service.js';
import { SystemTables } from './system-tables.js';
import { Timers } from './timers.js';
import { UserStore } from './user-store.js';
import { addCsrfGuard, registerLoginActions } from './xas-actions.js';
import { LOG_NODES } from '../core/log-node-names.js';

/**
 * The security component: users and roles at start-up, login and logout on
 * /xas/, a guard that resolves every /xas/ request's session and checks the
 * CSRF token of state-changing actions, the periodic session flush and
 * clean-up. Provides services 'security' and 'sessions' (services.ts).
 * The pieces: component-options.ts (settings), sessions-service.ts (the
 * session resolver and the 'sessions' service), security-service.ts,
 * xas-actions.ts (login, logout, the CSRF guard), change-password.ts, timers.ts.
 */
export function securityComponent(
  opts: {
    /** Run the session clean-up on a timer here (default); false when the cluster's leader runs it. */
    periodicCleanup?: boolean;
  } = {},
): RuntimeComponent {
  const periodicCleanup = opts.periodicCleanup ?? true;
  let timers: Timers | undefined;
  let sessions: SessionManager | undefined;
  return {
    name: 'security',
    async start(ctx) {
      const { model, settings } = ctx;
      const log = ctx.log.child({ node: LOG_NODES.security });
      const opts = securityOptions(settings);
      configureHashPool(opts.hashThreads);
      const db = ctx.services.require('db');
      const writer = dataLayerWriter(model, db, ctx.services.require('ids'));
      const tables = new SystemTables(model, db.dialect);
      const users = new UserStore(db, tables, writer);
      const store = new SessionStore(db, tables, writer);
      const secret = await deploymentSecret(settings.get('DeploymentSecret'), db);
      sessions = new SessionManager(store, model, { timeoutMs: opts.timeoutMs, validationMs: opts.validationMs, maxLifetimeMs: opts.maxLifetimeMs, secret });
      const mgr = sessions;
      const policy = {
        maxAttempts: opts.loginMaxAttempts,
        blockDurationMs: opts.loginBlockDurationMs,
        blockingEnabled: model.security.level === 'production',
      };
      const login = new LoginService(users, mgr, model, policy, opts.cost, ctx.log.child({ node: LOG_NODES.security }));

      await withStartupLock(db, () => bootstrapUsers(model, users, opts.cost, log));
      await refuseExposedDefaultAdmin(model, users, settings.get('Host') ?? '127.0.0.1');

      const off = model.security.level === 'off';
      const resolveSession = sessionResolver(mgr);
      const anonymousThrottle = new AddressThrottle(opts.anonymousSessionsPerMinute, 60_000);
      const sessionsSvc = sessionsService(model, mgr, users, resolveSession, policy.blockDurationMs, anonymousThrottle);
      const basicThrottle = new LoginThrottle(opts.loginThrottleAttempts, opts.loginThrottleWindowMs);
      const authenticateBasic = basicAuthenticator(model, users, policy, opts.cost, basicThrottle, ctx.log.child({ node: LOG_NODES.security }));
      const contextOfUser = serviceUserResolver(model, users, policy);
      ctx.services.set(SESSIONS_SERVICE, off ? sessionsSvc : { ...sessionsSvc, authenticateBasic, contextOfUser });
      ctx.services.set('requestUser', async (request) => (off ? null : ((await resolveSession(request))?.context.userName ?? null)));
      ctx.services.set(SECURITY_SERVICE, securityService(model, mgr, opts.cost));

      const xas = ctx.services.require('xas');
      registerLoginActions(xas, off, login, mgr, resolveSession, new LoginThrottle(opts.loginThrottleAttempts, opts.loginThrottleWindowMs));
      registerChangePassword(xas, {
        model,
        users,
        mgr,
        resolveSession,
        cost: opts.cost,
        maxAttempts: policy.maxAttempts,
        blockingEnabled: policy.blockingEnabled,
        log: ctx.log.child({ node: LOG_NODES.security }),
      });
      addAnonymousSessionGuard(xas, model, sessionsSvc, resolveSession);
      addCsrfGuard(xas, off, resolveSession);

      timers = new Timers(log);
      timers.every(opts.flushMs, 'session keep-alive flush', () => mgr.flush());
      // In a runtime with the cluster component the leader runs the clean-up (src/cluster/); each instance still flushes its own last-active times.
      if (periodicCleanup)
        timers.every(opts.cleanupMs, 'session clean-up', async () => {
          const r = await sessionsSvc.cleanup();
          if (r.expired || r.disabled || r.unblocked || r.anonymousUsers) log.info(r, 'clean-up');
        });
    },
    routes(app) {
      decorateSessionLookup(app);
    },
    async stop(ctx: RuntimeContext) {
      timers?.stop();
      // Idle hash threads end with the runtime (the next hash, of another runtime in this process, starts them again).
      await hashPool().close();
      // Activity seen here since the last flush still counts on the other instances.
      await sessions?.flush().catch((e) => ctx.log.error({ err: e }, 'session flush at shut-down failed'));
    },
  };
}
