import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { freePort } from './cli.js';

/** A real S3-compatible server (s3rver, from npm) on a free port, with one bucket; its credentials are s3rver's fixed S3RVER/S3RVER. */
export interface TestS3 {
  readonly endpoint: string;
  readonly bucket: string;
  /** Kiln settings that point the file store at this server. */
  readonly settings: Record<string, string>;
  stop(): Promise<void>;
}

export async function startS3(bucket = 'kiln-files'): Promise<TestS3> {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-s3-'));
  const port = await freePort();
  const server = new S3rver({ address: '127.0.0.1', port, silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
  await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    settings: {
      FileStorage: 's3',
      FileS3BucketName: bucket,
      FileS3EndPoint: endpoint,
      FileS3Region: 'us-east-1',
      FileS3AccessKeyId: 'S3RVER',
      FileS3SecretAccessKey: 'S3RVER',
    },
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
