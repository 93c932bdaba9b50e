import type { RuntimeComponent } from '../core/runtime-context.js';
import { dataComponent } from '../data/component.js';
import { xasComponent } from '../http/xas-component.js';
import { securityComponent } from '../security/component.js';
import { clientApiComponent } from '../client-api/component.js';
import { logicComponent } from '../logic/component.js';
import { clientComponent } from '../web-client/component.js';
import { clientLogic } from './client-logic.js';
import { adminComponent } from '../admin/component.js';

/**
 * The runtime's components in start-up order. This is the composition root:
 * the only place that knows every component, and where one component's
 * service is adapted to another's port.
 */
export function defaultComponents(): RuntimeComponent[] {
  return [
    // The M2EE admin API (its own port, when configured) and the metrics; first, so it answers while the rest starts.
    adminComponent(),
    // Opens the database, synchronises the schema, provides 'db' and 'ids'.
    dataComponent(),
    xasComponent(),
    // Users, roles, login/logout, sessions ('sessions', 'security'), the /xas/ CSRF guard.
    securityComponent(),
    // Microflow engine: compiles the microflows, provides 'microflows'.
    logicComponent(),
    // The engine as the client API's ObjectLogic port: commits, deletes and calls from the client run events and validation.
    {
      name: 'client-logic',
      async start(ctx) {
        ctx.services.set('logic', clientLogic(ctx.services.require('microflows')));
      },
    },
    clientApiComponent(),
    // Last: serves the browser client and its page definitions.
    clientComponent(),
  ];
}
