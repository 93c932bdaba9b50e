import { describe, expect, it } from 'vitest';
import { createLogger, logNodesOf, prettyStream } from '../../src/core/logger.js';

function capture() {
  const lines: string[] = [];
  const stream = { write: (s: string) => lines.push(s) > 0 } as unknown as NodeJS.WritableStream;
  return { lines, stream };
}

describe('log nodes', () => {
  it("changes a node's level for its loggers, their children made afterwards and those made later, and no other node", () => {
    const { lines, stream } = capture();
    const log = createLogger('info', stream);
    const data = log.child({ node: 'Data' });
    const perRequest = data.child({ req: 1 });
    const http = log.child({ node: 'HTTP' });
    perRequest.debug('hidden');
    expect(lines).toHaveLength(0);
    expect(logNodesOf(log)!.setLevel('Data', 'DEBUG')).toBe(true);
    perRequest.debug('a');
    data.debug('b');
    log.child({ node: 'Data' }).debug('c');
    http.debug('not shown');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['a', 'b', 'c']);
    expect(logNodesOf(log)!.setLevel('HTTP', 'LOUD')).toBe(false);
    logNodesOf(http)!.setLevel('HTTP', 'NONE');
    http.error('silenced');
    expect(lines).toHaveLength(3);
    expect(logNodesOf(log)!.levels()).toEqual({ Data: 'DEBUG', HTTP: 'NONE' });
  });

  it('writes JSON lines, or readable lines with pretty', () => {
    const json = capture();
    createLogger('info', json.stream).child({ node: 'Data' }).info({ n: 1 }, 'ready');
    expect(JSON.parse(json.lines[0]!)).toMatchObject({ level: 30, node: 'Data', msg: 'ready', n: 1 });
    const readable = capture();
    createLogger('info', prettyStream(readable.stream, false)).child({ node: 'Data' }).info({ n: 1 }, 'ready');
    expect(readable.lines.join('')).toMatch(/^\d\d:\d\d:\d\d INFO {2}Data ready n=1\n?$/);
  });
});
