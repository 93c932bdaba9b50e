import type { RuntimeComponent } from './runtime-context.js';
import { dataComponent } from '../data/component.js';
import { xasComponent } from '../http/xas-component.js';
import { securityComponent } from '../security/component.js';
import { clientApiComponent } from '../client-api/component.js';
import { logicComponent } from '../logic/component.js';
import { clientComponent } from '../web-client/component.js';

/**
 * The runtime's components in start-up order. Each later issue adds its
 * component here (data layer, security, sessions, client API, client).
 */
export function defaultComponents(): RuntimeComponent[] {
  return [
    // First: opens the database, synchronises the schema, provides 'db' and 'ids'.
    dataComponent(),
    xasComponent(),
    // Users, roles, login/logout, sessions ('sessions', 'security'), the /xas/ CSRF guard.
    securityComponent(),
    // Microflow engine: compiles the microflows, provides 'logic' (to the client API) and 'microflows'.
    logicComponent(),
    clientApiComponent(),
    // Last: serves the browser client and its page definitions.
    clientComponent(),
  ];
}
