/**
 * A small browser-like /xas/ client for fault tests that need what XasClient
 * does not show: the Retry-After header, the raw body text, an AbortSignal,
 * and network errors as values (never throws).
 */
export interface Answer {
  /** HTTP status, or the error's name when there was no answer (AbortError, TypeError: fetch failed). */
  readonly status: number | string;
  readonly retryAfter: string | null;
  readonly text: string;
  readonly ms: number;
}

export class FaultClient {
  cookie = '';
  csrf = '';

  constructor(readonly base: string) {}

  async post(body: unknown, signal?: AbortSignal): Promise<Answer> {
    const t0 = Date.now();
    try {
      const res = await fetch(`${this.base}/xas/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.cookie ? { cookie: this.cookie } : {}), ...(this.csrf ? { 'x-csrf-token': this.csrf } : {}) },
        body: JSON.stringify(body),
        signal: signal ?? AbortSignal.timeout(60000),
      });
      const m = /XASSESSIONID=([^;]*)/.exec(res.headers.get('set-cookie') ?? '');
      if (m) this.cookie = m[1] ? `XASSESSIONID=${m[1]}` : '';
      return { status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text(), ms: Date.now() - t0 };
    } catch (e) {
      return { status: (e as Error).name, retryAfter: null, text: String((e as Error).cause ?? e), ms: Date.now() - t0 };
    }
  }

  async login(username: string, password: string): Promise<Answer> {
    const a = await this.post({ action: 'login', params: { username, password } });
    if (a.status === 200) this.csrf = String((JSON.parse(a.text) as { csrftoken: unknown }).csrftoken);
    return a;
  }

  op(operationId: string, rest: Record<string, unknown> = {}, signal?: AbortSignal): Promise<Answer> {
    return this.post({ action: 'runtimeOperation', operationId, params: {}, changes: {}, objects: [], ...rest }, signal);
  }
}

/** Answers counted by kind: `200`, `503+RA` (503 with Retry-After), `503` (without), `500`, `AbortError`, ... */
export function tally(answers: readonly Answer[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of answers) {
    const k = a.status === 503 && a.retryAfter ? '503+RA' : String(a.status);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}
