import type { RuntimeComponent } from '../core/runtime-context.js';
import { dataComponent } from '../data/component.js';
import { xasComponent } from '../http/xas-component.js';
import { securityComponent } from '../security/component.js';
import { clientApiComponent } from '../client-api/component.js';
import { logicComponent } from '../logic/component.js';
import { clientComponent } from '../web-client/component.js';
import { clusterComponent } from '../cluster/component.js';
import { clusterExclusive } from '../cluster/locks.js';
import { integrationComponent } from '../integration/component.js';
import { clientLogic } from './client-logic.js';
import { filePort } from './file-port.js';
import { filesComponent } from '../files/component.js';
import { adminComponent } from '../admin/component.js';
import { scheduledEventsComponent } from '../background/scheduled/component.js';
import { taskQueuePort, taskQueuesComponent } from '../background/queues/component.js';

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
    securityComponent({ periodicCleanup: false }),
    // Microflow engine: compiles the microflows, provides 'microflows'.
    logicComponent({ exclusive: clusterExclusive, queues: taskQueuePort }),
    // The engine as the client API's ObjectLogic port: commits, deletes and calls from the client run events and validation.
    {
      name: 'client-logic',
      async start(ctx) {
        ctx.services.set('logic', clientLogic(ctx.services.require('microflows')));
      },
    },
    clientApiComponent({ periodicCleanup: false }),
    // Published REST services, their OpenAPI documents, /rest-doc/ and /api-doc/.
    integrationComponent(),
    // FileDocument contents (local folder or S3), GET and POST /file, the clean-up of unreferenced files.
    filesComponent({ periodicCleanup: false }),
    // The files service as the microflow engine's FilePort: TypeScript actions and the built-in file actions.
    {
      name: 'files-logic',
      async start(ctx) {
        const files = ctx.services.get('files');
        if (files) ctx.services.set('fileContents', filePort(files));
      },
    },
    // Serves the browser client and its page definitions.
    clientComponent(),
    // Instances, the leader and its tasks (the session clean-up among them), after-startup and
    // before-shutdown microflows: last, so that it starts after everything it may call and stops first.
    clusterComponent(),
    // Scheduled events: after the cluster (a leader task) and the after-startup microflow; they stop first.
    scheduledEventsComponent(),
    // Task queues (src/background/queues): after the cluster, whose instance id the tasks it claims carry; stops first.
    taskQueuesComponent(),
  ];
}
