import { verifyPassword } from '../security/password.js';
import type { MicroflowEngine } from './engine/engine.js';
import type { LoadedAction } from './engine/host.js';
import type { PreparedRetrieve } from './engine/ports.js';

/**
 * Built-in actions standing in for the Java actions of Mendix's System module,
 * called as a microflow calls any action (`action: { name: System.VerifyPassword }`).
 * An app's own action of the same name wins.
 *
 * - `System.VerifyPassword(userName, password)` → Boolean: whether the password is the
 *   user's (one bcrypt compare; false for an unknown user or one without a password).
 */
export function systemActions(engineRef: () => MicroflowEngine): LoadedAction[] {
  let byName: PreparedRetrieve | undefined;
  return [
    {
      name: 'System.VerifyPassword',
      parameters: { userName: 'String', password: 'String' },
      returns: 'Boolean',
      async run(args, caller) {
        const engine = engineRef();
        // The stored hash is never readable through entity access, so the lookup runs without it.
        byName ??= engine.query.prepare(engine.model, { entity: 'System.User', xpath: '[Name = $UserName]', sort: [], amount: 1 }, false);
        const [user] = await byName.run(caller.session.sql(), caller.session.user, { UserName: typeof args.userName === 'string' ? args.userName : '' }, {});
        const hash = user?.values.get('Password');
        return verifyPassword(typeof args.password === 'string' ? args.password : '', typeof hash === 'string' ? hash : null);
      },
    },
  ];
}
