import type { RuntimeComponent } from '../core/runtime-context.js';
import { XasDispatcher } from './xas.js';

/**
 * Creates the one `/xas/` dispatcher as service 'xas' (components started
 * later register their actions and guards into it) and mounts it.
 */
export function xasComponent(): RuntimeComponent {
  let dispatcher: XasDispatcher | undefined;
  return {
    name: 'xas',
    async start(ctx) {
      dispatcher = new XasDispatcher();
      ctx.services.set('xas', dispatcher);
    },
    routes(app) {
      dispatcher!.mount(app);
    },
  };
}

declare module '../core/services.js' {
  interface Services {
    xas: XasDispatcher;
  }
}
