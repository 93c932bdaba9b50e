import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Transform, type Readable } from 'node:stream';
import { checkKey, type FileStore } from './store.js';

export interface S3Options {
  readonly bucket: string;
  readonly region: string;
  /** An S3-compatible endpoint; when set, path-style access is used (as Mendix's EndPoint setting does). */
  readonly endpoint?: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  /** Prepended to every key (a "folder" inside the bucket), e.g. `app1/`. */
  readonly prefix?: string;
  readonly maxConnections?: number;
}

/**
 * Contents in an S3 bucket (or any S3-compatible store) through the AWS SDK v3.
 * Uploads stream in parts (`@aws-sdk/lib-storage`), so a file of any size is
 * never held in memory whole; an upload that fails is aborted and leaves no
 * object. Without explicit credentials the SDK's default chain applies
 * (environment, instance role).
 */
export class S3FileStore implements FileStore {
  readonly description: string;
  private readonly client: S3Client;
  private readonly prefix: string;

  constructor(private readonly opts: S3Options) {
    const config: S3ClientConfig = { region: opts.region };
    if (opts.endpoint) {
      config.endpoint = opts.endpoint;
      config.forcePathStyle = true;
    }
    if (opts.accessKeyId && opts.secretAccessKey) config.credentials = { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey };
    if (opts.maxConnections) config.requestHandler = { httpsAgent: { maxSockets: opts.maxConnections }, httpAgent: { maxSockets: opts.maxConnections } };
    this.client = new S3Client(config);
    this.prefix = opts.prefix ?? '';
    this.description = `S3 bucket ${opts.bucket}${opts.endpoint ? ` at ${opts.endpoint}` : ''}${this.prefix ? ` under ${this.prefix}` : ''}`;
  }

  async put(key: string, body: Readable, contentType?: string): Promise<{ size: number }> {
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        cb(null, chunk);
      },
    });
    body.on('error', (e) => counter.destroy(e));
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.opts.bucket, Key: this.prefix + checkKey(key), Body: body.pipe(counter), ...(contentType ? { ContentType: contentType } : {}) },
      queueSize: 2,
      partSize: 5 * 1024 * 1024,
      leavePartsOnError: false,
    });
    await upload.done();
    return { size };
  }

  async get(key: string): Promise<Readable | undefined> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: this.prefix + checkKey(key) }));
      return r.Body as Readable;
    } catch (e) {
      if ((e as { name?: string }).name === 'NoSuchKey' || (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
        return undefined;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: this.prefix + checkKey(key) }));
  }

  async *list(): AsyncIterable<{ key: string; modified: Date }> {
    let token: string | undefined;
    do {
      const r = await this.client.send(new ListObjectsV2Command({ Bucket: this.opts.bucket, Prefix: this.prefix || undefined, ContinuationToken: token }));
      for (const o of r.Contents ?? []) {
        if (!o.Key) continue;
        yield { key: o.Key.slice(this.prefix.length), modified: o.LastModified ?? new Date(0) };
      }
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
