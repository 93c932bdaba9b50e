import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The audit line of a refused request (OWASP ASVS 7.1/7.2): every 401, 403
 * and 404 the server answers — from the one error path or sent directly by a
 * guard (no session, CSRF token) or a route (login failed, page not allowed) —
 * writes one warn line (node `HTTP`, with `reqId`):
 *
 *   {"level":40,"reqId":"req-7","user":"ann","action":"runtimeOperation","operationId":"a1b2",
 *    "status":403,"reason":"not allowed","method":"POST","url":"/xas/","msg":"request refused"}
 *
 * `user` is the session's user name (the attempted name for a failed login;
 * null without a session), `reason` the error the caller was answered. Not for
 * the static files' 404s (the catch-all route) or unknown routes. Passwords and
 * other body fields are never logged.
 */
export const REFUSED = new Set([401, 403, 404]);

/** The request's user name, from its session (set by the security component as service `requestUser`). */
export type RequestUser = (request: FastifyRequest) => Promise<string | null | undefined>;

declare module '../core/services.js' {
  interface Services {
    requestUser: RequestUser;
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The user a published service authenticated (Basic or custom), for requests without a session. */
    serviceUser?: string | null;
  }
}

/** The onSend step that writes the audit line of a refused answer; the server's one onSend hook calls it last (server.ts). */
export type RefusalLog = (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: Error | null, payload?: unknown) => void) => void;

export function refusalLog(requestUser: () => RequestUser | undefined): RefusalLog {
  // Callback style: an answer that is not a refusal (nearly all) passes with no promise made.
  return (request, reply, payload, done) => {
    if (!REFUSED.has(reply.statusCode)) return done(null, payload);
    const route = request.routeOptions.url;
    if (route === undefined || route === '/*') return done(null, payload);
    logRefusal(request, reply, payload, requestUser).then(
      () => done(null, payload),
      () => done(null, payload),
    );
  };
}

async function logRefusal(request: FastifyRequest, reply: FastifyReply, payload: unknown, requestUser: () => RequestUser | undefined): Promise<void> {
  const body = request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {};
  const action = short(body.action);
  const params = body.params && typeof body.params === 'object' ? (body.params as Record<string, unknown>) : {};
  let user: string | null = null;
  if (action === 'login') user = short(params.username) ?? null;
  else if (request.serviceUser !== undefined) user = request.serviceUser;
  else {
    try {
      user = (await requestUser()?.(request)) ?? null;
    } catch {
      user = null;
    }
  }
  request.log.warn(
    {
      user,
      action,
      operationId: short(body.operationId),
      status: reply.statusCode,
      reason: reasonOf(payload),
      method: request.method,
      url: request.url.slice(0, 200),
    },
    'request refused',
  );
}

function short(v: unknown): string | undefined {
  return typeof v === 'string' ? v.slice(0, 100) : undefined;
}

/** The `error` of a JSON answer (what the caller was told), or the text itself. */
function reasonOf(payload: unknown): string | undefined {
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8', 0, 2000) : undefined;
  if (text === undefined) return undefined;
  if (text.startsWith('{') && text.length < 4000) {
    try {
      const e = (JSON.parse(text) as { error?: unknown }).error;
      if (typeof e === 'string') return e.slice(0, 300);
    } catch {
      /* not JSON: the text below */
    }
  }
  return text.slice(0, 300);
}
