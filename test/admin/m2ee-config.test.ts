import { describe, expect, it } from 'vitest';
import { kilnOverrides } from '../../src/app/m2ee.js';

describe("Mendix's configuration as Kiln's settings", () => {
  it('turns DatabaseType/Host/Name/UserName/Password into DatabaseUrl, and the app container into Port and Host', () => {
    expect(
      kilnOverrides(
        {
          runtime: { DatabaseType: 'PostgreSQL', DatabaseHost: 'db:5432', DatabaseName: 'app', DatabaseUserName: 'mx', DatabasePassword: 'p@ss/word' },
          appContainer: { runtime_port: 8000, runtime_listen_addresses: '*' },
        },
        {},
      ),
    ).toEqual({ DatabaseUrl: 'postgres://mx:p%40ss%2Fword@db:5432/app', Port: 8000, Host: '0.0.0.0' });
    expect(kilnOverrides({ runtime: { DatabaseType: 'MYSQL', DatabaseHost: 'h', DatabaseName: 'd' }, appContainer: {} }, {})).toEqual({
      DatabaseUrl: 'mysql://h/d',
    });
    expect(kilnOverrides({ runtime: {}, appContainer: {} }, { M2EE_RUNTIME_PORT: '9001', M2EE_RUNTIME_LISTEN_ADDRESSES: '127.0.0.1' })).toEqual({
      Port: 9001,
      Host: '127.0.0.1',
    });
  });

  it('takes ScheduledEventExecution as it is and MyScheduledEvents as Mendix gives it, a list', () => {
    expect(
      kilnOverrides({ runtime: { ScheduledEventExecution: 'SPECIFIED', MyScheduledEvents: ['Ops.Nightly', 'Ops.Hourly'] }, appContainer: {} }, {}),
    ).toEqual({ ScheduledEventExecution: 'SPECIFIED', MyScheduledEvents: 'Ops.Nightly,Ops.Hourly' });
  });
});
