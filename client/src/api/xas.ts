import type { XasResponse, WireValidation } from './types';

/** A request the server refused; `message` is fit to show to the user. */
export class XasError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: unknown,
    readonly validations: readonly WireValidation[] = [],
  ) {
    super(message);
  }
}

export type ConnectionState = { readonly online: true } | { readonly online: false; readonly retryInMs: number; readonly attempt: number };

type Listener<T> = (v: T) => void;

const CSRF_KEY = 'kiln.csrf';
/** Attempts of a request sent with an Idempotency-Key before the client gives up (back-off 1, 2, 4, 8 s between them). */
const KEYED_ATTEMPTS = 5;

/** A fresh Idempotency-Key: 128 random bits (getRandomValues also works where randomUUID does not, on plain http). */
function newIdempotencyKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * The one door to the runtime: POST /xas/ and GET of page definitions. Carries the
 * CSRF token, turns error bodies into readable messages, and when the network is
 * gone says so (connection listeners) and retries with back-off until it is back.
 * A state-changing action (`idempotent`) carries an Idempotency-Key made once
 * per call: its retries send the same key, so the server does it once and
 * answers a retry with the first answer; they stop after KEYED_ATTEMPTS.
 */
export class XasClient {
  private csrf: string | null = sessionStorage.getItem(CSRF_KEY);
  private readonly connectionListeners = new Set<Listener<ConnectionState>>();
  private readonly sessionLostListeners = new Set<Listener<void>>();
  private pending = 0;
  private readonly busyListeners = new Set<Listener<number>>();
  /** The request in flight that was sent without a token: it may start an (anonymous) session. */
  private starting: Promise<unknown> | null = null;

  /** The language the client shows (app.yaml code), sent as X-Kiln-Language: server texts (messages, validation) come in it. */
  private language: string | null = null;

  setLanguage(code: string | null): void {
    this.language = code;
  }

  setCsrfToken(token: string | null): void {
    this.csrf = token;
    if (token) sessionStorage.setItem(CSRF_KEY, token);
    else sessionStorage.removeItem(CSRF_KEY);
  }

  /** The session's CSRF token, for requests outside /xas/ (file uploads). */
  get csrfToken(): string | null {
    return this.csrf;
  }

  /** Whether the client holds a session's token (an anonymous app's first page views run without a session). */
  get hasSession(): boolean {
    return this.csrf !== null;
  }

  onConnection(l: Listener<ConnectionState>): () => void {
    this.connectionListeners.add(l);
    return () => this.connectionListeners.delete(l);
  }
  onSessionLost(l: Listener<void>): () => void {
    this.sessionLostListeners.add(l);
    return () => this.sessionLostListeners.delete(l);
  }
  onBusy(l: Listener<number>): () => void {
    this.busyListeners.add(l);
    return () => this.busyListeners.delete(l);
  }

  /**
   * POST /xas/ with one action. `expectSession: false` for login (a 401 there is a wrong password, not a lost session);
   * `idempotent: true` for a state-changing runtime operation (commit, delete, microflow): sent with an Idempotency-Key.
   */
  async action<T = XasResponse>(body: Record<string, unknown>, opts: { expectSession?: boolean; idempotent?: boolean } = {}): Promise<T> {
    // Without a token, a request may start a session (an anonymous app's first data request does, and
    // answers its token in X-Csrf-Token): one at a time, so that the others then use that session.
    while (!this.csrf && this.starting) await this.starting.catch(() => undefined);
    const key = opts.idempotent ? newIdempotencyKey() : undefined;
    const p = this.send(
      '/xas/',
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(this.csrf ? { 'X-Csrf-Token': this.csrf } : {}),
          ...(key ? { 'Idempotency-Key': key } : {}),
          ...(this.language ? { 'X-Kiln-Language': this.language } : {}),
        },
        body: JSON.stringify(body),
      },
      opts.expectSession ?? true,
      key ? KEYED_ATTEMPTS : Infinity,
    );
    if (!this.csrf) {
      this.starting = p;
      void p
        .catch(() => undefined)
        .finally(() => {
          if (this.starting === p) this.starting = null;
        });
    }
    return p as Promise<T>;
  }

  /** GET a JSON document of the runtime (page definitions); the browser's cache revalidates it. */
  async getJson<T>(path: string): Promise<T> {
    return this.send(path, { method: 'GET', headers: { Accept: 'application/json' } }, true) as Promise<T>;
  }

  private async send(url: string, init: RequestInit, expectSession: boolean, attempts = Infinity): Promise<unknown> {
    this.busy(+1);
    try {
      const res = await this.fetchWithRetry(url, { ...init, credentials: 'same-origin' }, attempts);
      const text = await res.text();
      // A session started by this request (anonymous, on its first data request) sends its token here.
      const token = res.headers.get('X-Csrf-Token');
      if (token) this.setCsrfToken(token);
      let body: unknown;
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      }
      if (res.ok) return body;
      if (res.status === 401 && expectSession) for (const l of this.sessionLostListeners) l();
      throw new XasError(readableError(res.status, body), res.status, body, validationsOf(body));
    } finally {
      this.busy(-1);
    }
  }

  /** Retries after a network error or a 502/503/504 only; after `attempts` the last answer (or a status-0 XasError) is the caller's. */
  private async fetchWithRetry(url: string, init: RequestInit, attempts: number): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(url, init);
        // A proxy or a restarting server answers 502/503/504: as good as no connection.
        if (res.status !== 502 && res.status !== 503 && res.status !== 504) {
          if (attempt > 1) this.connection({ online: true });
          return res;
        }
        if (attempt >= attempts) return res;
      } catch {
        // fetch rejects only when no response arrived: the connection is gone.
        if (attempt >= attempts)
          throw new XasError('The connection to the server was lost; your change may not have been saved. Please check and try again.', 0, null);
      }
      const retryInMs = Math.min(1000 * 2 ** (attempt - 1), 10000);
      this.connection({ online: false, retryInMs, attempt });
      await new Promise((r) => setTimeout(r, retryInMs));
    }
  }

  private connection(s: ConnectionState): void {
    for (const l of this.connectionListeners) l(s);
  }
  private busy(delta: number): void {
    this.pending += delta;
    for (const l of this.busyListeners) l(this.pending);
  }
}

/** Validation failures in an answer: a refused commit's, or a microflow's validation feedback. */
export function validationsOf(body: unknown): WireValidation[] {
  if (!body || typeof body !== 'object') return [];
  const b = body as Record<string, unknown>;
  // The runtime answers 422 {error, datavalidation: {guid: {member: message}}}.
  if (b.datavalidation && typeof b.datavalidation === 'object') {
    const out: WireValidation[] = [];
    for (const [guid, members] of Object.entries(b.datavalidation as Record<string, Record<string, unknown>>)) {
      for (const [member, message] of Object.entries(members ?? {})) if (typeof message === 'string') out.push({ guid, member, message });
    }
    return out;
  }
  const list = b.validations ?? b.validationErrors;
  return Array.isArray(list) ? (list as WireValidation[]).filter((v) => v && typeof v.message === 'string') : [];
}

function readableError(status: number, body: unknown): string {
  const v = validationsOf(body);
  if (v.length > 0) return v.map((x) => x.message).join('\n');
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    for (const k of ['message', 'error', 'errorMessage', 'description']) {
      const v = b[k];
      if (typeof v === 'string' && v) return v;
      if (v && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string') return (v as { message: string }).message;
    }
  } else if (typeof body === 'string' && body.length < 300 && !body.trimStart().startsWith('<')) {
    return body;
  }
  if (status === 401) return 'Your session has ended. Please sign in again.';
  if (status === 403) return 'You are not allowed to do this.';
  if (status === 404) return 'Not found.';
  if (status === 413) return 'The request is too large.';
  return `The server could not handle the request (HTTP ${status}).`;
}
