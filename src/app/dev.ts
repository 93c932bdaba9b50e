import type { ServerResponse } from 'node:http';
import type { RuntimeComponent } from '../core/runtime-context.js';

/**
 * What `kiln dev` tells the browser: the version of the model being served
 * (a new version means: reload the page) and the errors of the last save
 * (shown over the page while they last), or the question a destructive schema
 * change waits on (answered in the terminal). It outlives each runtime it serves.
 */
export class DevState {
  version = 1;
  errors = '';
  /** A valid save waiting for the developer's answer: what its schema change would destroy. */
  destructive = '';
  private readonly clients = new Set<ServerResponse>();

  add(res: ServerResponse): void {
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    this.send(res);
  }

  /** Sends the current state to every open browser. */
  broadcast(): void {
    for (const c of this.clients) this.send(c);
  }

  /** Ends every stream (before a runtime stops: open streams would hold its server open). */
  closeAll(): void {
    for (const c of this.clients) c.end();
    this.clients.clear();
  }

  private send(res: ServerResponse): void {
    res.write(
      `event: model\ndata: ${JSON.stringify({ version: this.version, errors: this.errors, ...(this.destructive ? { destructive: this.destructive } : {}) })}\n\n`,
    );
  }
}

/** The /dev/events endpoint (server-sent events), present only under `kiln dev`. */
export function devComponent(state: DevState): RuntimeComponent {
  return {
    name: 'dev',
    async start(ctx) {
      ctx.services.set('devMode', { events: '/dev/events' });
    },
    routes(app) {
      app.get('/dev/events', (req, reply) => {
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
        state.add(res);
        req.raw.on('close', () => res.end());
      });
    },
    async stop() {
      state.closeAll();
    },
  };
}
