import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, logNodesOf, nodeLogger, prettyStream } from '../../src/core/logger.js';

function capture() {
  const lines: string[] = [];
  const stream = { write: (s: string) => lines.push(s) > 0 } as unknown as NodeJS.WritableStream;
  return { lines, stream };
}

describe('log nodes', () => {
  it("changes a node's level for its loggers, their children made afterwards and those made later, and no other node", () => {
    const { lines, stream } = capture();
    const log = createLogger('info', stream);
    const data = log.child({ node: 'ConnectionBus' });
    const perRequest = data.child({ req: 1 });
    const http = log.child({ node: 'Jetty' });
    perRequest.debug('hidden');
    expect(lines).toHaveLength(0);
    expect(logNodesOf(log)!.setLevel('ConnectionBus', 'DEBUG')).toBe(true);
    perRequest.debug('a');
    data.debug('b');
    log.child({ node: 'ConnectionBus' }).debug('c');
    http.debug('not shown');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['a', 'b', 'c']);
    expect(logNodesOf(log)!.setLevel('Jetty', 'LOUD')).toBe(false);
    logNodesOf(http)!.setLevel('Jetty', 'NONE');
    http.error('silenced');
    expect(lines).toHaveLength(3);
    expect(logNodesOf(log)!.levels()).toEqual({ ConnectionBus: 'DEBUG', Jetty: 'NONE' });
  });

  it("takes Kiln's former node names for the Mendix nodes they became", () => {
    const { lines, stream } = capture();
    const log = createLogger('info', stream);
    const db = log.child({ node: 'ConnectionBus' });
    expect(logNodesOf(log)!.setLevel('Data', 'TRACE')).toBe(true);
    expect(logNodesOf(log)!.setLevel('Microflows', 'ERROR')).toBe(true);
    db.trace('traced');
    log.child({ node: 'MicroflowEngine' }).warn('not shown');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['traced']);
    expect(logNodesOf(log)!.levels()).toEqual({ ConnectionBus: 'TRACE', MicroflowEngine: 'ERROR' });
  });

  it("gives a node named at run time (a microflow's log activity) a logger of its own, with its own level", () => {
    const { lines, stream } = capture();
    const log = createLogger('info', stream);
    const perRequest = log.child({ node: 'MicroflowEngine' }).child({ req: 7 });
    nodeLogger(perRequest, 'Shop.Orders').info({ microflow: 'Shop.Order' }, 'ordered');
    expect(lines).toHaveLength(1);
    // One node in the line: the activity's, not the caller's.
    expect(lines[0]!.match(/"node":/g)).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ node: 'Shop.Orders', microflow: 'Shop.Order', msg: 'ordered' });
    expect(logNodesOf(log)!.setLevel('Shop.Orders', 'NONE')).toBe(true);
    nodeLogger(perRequest, 'Shop.Orders').error('silenced');
    nodeLogger(perRequest, 'Shop.Other').info('other');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['ordered', 'other']);
  });

  it('refuses an unknown LogLevel with a message naming the levels', () => {
    expect(() => createLogger('loud')).toThrow(/LogLevel 'loud'.*TRACE/);
    expect(createLogger('WARNING', capture().stream).level).toBe('warn');
  });

  it('gives each subscriber the lines at or above its own level for the line’s node', () => {
    const consoleOut = capture();
    const log = createLogger('warn', consoleOut.stream);
    const nodes = logNodesOf(log)!;
    const file: string[] = [];
    expect(nodes.addSubscriber('File', 'file', { write: (l) => void file.push(l) }, 'INFO')).toBe('added');
    expect(nodes.addSubscriber('File', 'file', { write: () => undefined }, 'INFO')).toBe('exists');
    expect(nodes.setLevel('Security', 'DEBUG', 'File')).toBe(true);
    expect(nodes.setLevel('Security', 'DEBUG', 'Nobody')).toBe(false);
    const sec = log.child({ node: 'Security' });
    const core = log.child({ node: 'Core' });
    sec.debug('sec debug');
    core.debug('core debug');
    core.info('core info');
    core.warn('core warn');
    const msgs = (ls: string[]) => ls.map((l) => JSON.parse(l).msg);
    expect(msgs(file)).toEqual(['sec debug', 'core info', 'core warn']);
    expect(msgs(consoleOut.lines)).toEqual(['core warn']);
    expect(nodes.levels('File')).toMatchObject({ Security: 'DEBUG', Core: 'INFO' });
    expect(nodes.levels()).toMatchObject({ Security: 'WARNING', Core: 'WARNING' });
    let closed = false;
    nodes.addSubscriber('Other', 'console', { write: () => undefined, close: () => void (closed = true) }, 'TRACE');
    expect(nodes.removeSubscriber('Other')).toBe(true);
    expect(closed).toBe(true);
    expect(nodes.removeSubscriber('File')).toBe(true);
    // Only the console is left: nothing below WARNING is even produced.
    expect(sec.isLevelEnabled('info')).toBe(false);
    expect(nodes.removeSubscriber('ConsoleLog')).toBe(false);
  });

  it('writes JSON lines, or readable lines through pino-pretty with the node before the message', async () => {
    const json = capture();
    createLogger('info', json.stream).child({ node: 'ConnectionBus' }).info({ n: 1 }, 'ready');
    expect(JSON.parse(json.lines[0]!)).toMatchObject({ level: 30, node: 'ConnectionBus', msg: 'ready', n: 1 });
    const sink = new PassThrough();
    let text = '';
    sink.on('data', (d) => {
      text += d;
    });
    createLogger('info', prettyStream(sink, false)).child({ node: 'ConnectionBus' }).info({ n: 1 }, 'ready');
    await new Promise((r) => setTimeout(r, 20));
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: ConnectionBus: ready \{"n":1\}\n$/);
    const colored = new PassThrough();
    let ansi = '';
    colored.on('data', (d) => {
      ansi += d;
    });
    createLogger('info', prettyStream(colored, true)).child({ node: 'Jetty' }).warn('slow');
    await new Promise((r) => setTimeout(r, 20));
    expect(ansi).toContain('\u001b[');
    expect(
      ansi
        .split('\u001b')
        .map((p) => p.replace(/^\[\d+m/, ''))
        .join(''),
    ).toMatch(/WARN: Jetty: slow/);
  });
});
