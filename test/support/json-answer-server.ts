import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real local HTTP server that records every JSON body it is sent and answers each with the same JSON. */
export interface JsonAnswerServer {
  readonly base: string;
  readonly received: unknown[];
  close(): Promise<void>;
}

export async function startJsonAnswerServer(answer: unknown): Promise<JsonAnswerServer> {
  const received: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
