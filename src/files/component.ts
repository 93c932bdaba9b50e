import { join } from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../core/errors.js';
import type { RuntimeComponent, RuntimeContext } from '../core/runtime-context.js';
import { matchesSessionToken } from '../security/sessions/session-secrets.js';
import { Timers } from '../security/timers.js';
import { FileAccess } from './access.js';
import { contentDisposition, contentTypeOf, inlineSafe } from './content-types.js';
import { FileService } from './service.js';
import { LocalFileStore, type FileStore } from './store.js';
import { LOG_NODES } from '../core/log-node-names.js';

declare module '../core/services.js' {
  interface Services {
    /** FileDocument contents: read and write them (microflows, TypeScript actions), the clean-up. */
    files: FileService;
  }
}

/** Builds the file store the settings name (FileStorage). */
async function storeFromSettings(ctx: Pick<RuntimeContext, 'settings' | 'deploymentDir'>): Promise<FileStore> {
  const s = ctx.settings;
  const kind = s.get('FileStorage') ?? 'local';
  if (kind === 's3') {
    const bucket = s.get('FileS3BucketName');
    if (!bucket) throw new Error('FileStorage is s3 but FileS3BucketName is not set');
    const endpoint = s.get('FileS3EndPoint');
    const accessKeyId = s.get('FileS3AccessKeyId');
    const secretAccessKey = s.get('FileS3SecretAccessKey');
    // The AWS SDK is loaded only when the store is S3: its modules cost start-up time and memory.
    const { S3FileStore } = await import('./s3-store.js');
    return new S3FileStore({
      bucket,
      region: s.get('FileS3Region') ?? 'us-east-1',
      ...(endpoint ? { endpoint } : {}),
      ...(accessKeyId ? { accessKeyId } : {}),
      ...(secretAccessKey ? { secretAccessKey } : {}),
      prefix: s.get('FileS3KeyPrefix') ?? '',
      maxConnections: s.get('FileS3MaxConnections') ?? 50,
    });
  }
  if (kind !== 'local') throw new Error(`FileStorage must be 'local' or 's3', not '${kind}'`);
  const local = new LocalFileStore(s.get('UploadedFilesPath') ?? join(ctx.deploymentDir, 'data', 'files'));
  await local.init();
  return local;
}

/** A guid as the client sends it: the object id in decimal. */
function parseGuid(v: unknown): bigint {
  if (typeof v !== 'string' || !/^[1-9][0-9]{0,19}$/.test(v)) throw new HttpError(400, 'guid must be an object id');
  return BigInt(v);
}

/**
 * The file component: FileDocument contents in the store FileStorage names,
 * the service 'files', and Mendix's `/file` handler:
 *
 * - `GET /file?guid=<id>[&changedDate=<ms>][&thumb=true][&target=inline]`
 *   streams the contents of a FileDocument the user may read;
 * - `POST /file?guid=<id>[&maxFileSize=<bytes>]`, multipart form data with
 *   the file in field `mxdocument`, stores new contents of a FileDocument
 *   the user may write (session cookie and X-Csrf-Token).
 *
 * Uses 'db' and 'ids' (data) and 'sessions' (security). The periodic clean-up
 * of unreferenced contents runs every FileCleanupInterval.
 */
export function filesComponent(
  opts: { /** Clean up unreferenced contents on a timer here (default); false when the cluster's leader does. */ periodicCleanup?: boolean } = {},
): RuntimeComponent {
  let timers: Timers | undefined;
  let files: FileService | undefined;
  let access: FileAccess | undefined;
  return {
    name: 'files',
    async start(ctx) {
      const log = ctx.log.child({ node: ctx.settings.get('FileStorage') === 's3' ? LOG_NODES.storageS3 : LOG_NODES.storageLocal });
      const db = ctx.services.require('db');
      const store = await storeFromSettings(ctx);
      files = new FileService(
        ctx.model,
        db,
        store,
        {
          maxSize: ctx.settings.get('FileUploadMaxSize') ?? 209715200,
          performDelete: ctx.settings.get('PerformDeleteFromStorage') ?? true,
          cleanupMinAge: ctx.settings.get('FileCleanupMinAge') ?? 3600000,
        },
        log,
      );
      ctx.services.set('files', files);
      access = new FileAccess(ctx.model, db, ctx.services.require('ids'));
      log.info({ store: store.description }, 'file storage ready');
      const every = ctx.settings.get('FileCleanupInterval') ?? 3600000;
      if (every > 0 && (opts.periodicCleanup ?? true)) {
        timers = new Timers(log);
        const f = files;
        timers.every(every, 'clean-up of unreferenced files', () => f.cleanup());
      }
    },
    async routes(app, ctx) {
      if (!files || !access) return;
      const f: FileService = files;
      const a: FileAccess = access;
      const sessions = ctx.services.get('sessions');
      const securityOff = ctx.model.security.level === 'off';
      const open = a.openContext();

      app.get('/file', async (request: FastifyRequest, reply: FastifyReply) => {
        const q = request.query as Record<string, unknown>;
        const id = parseGuid(q.guid);
        const user = securityOff ? open : await sessions?.viewerOf(request);
        if (!user) throw new HttpError(401, 'no valid session: log in (again)');
        const entity = await a.readable(user, id);
        // Unreadable and missing look the same.
        if (!entity) throw new HttpError(404, 'no such file document');
        const info = await f.info(id);
        if (!info?.key || !info.hasContents) throw new HttpError(404, 'the file document has no contents');
        const thumb = q.thumb === 'true' && f.isImageEntity(entity);
        const got = thumb ? await f.readThumbnail(info.key) : await f.store.get(info.key).then((s) => (s ? { stream: s, thumbnail: false } : undefined));
        if (!got) throw new HttpError(404, 'the contents of this file document are missing from the store');
        const type = got.thumbnail ? 'image/png' : contentTypeOf(info.name);
        const inline = (thumb || q.target === 'inline') && inlineSafe(type);
        reply
          .header('content-type', type)
          .header('content-disposition', contentDisposition(inline ? 'inline' : 'attachment', got.thumbnail ? `${info.name}.png` : info.name))
          .header('x-content-type-options', 'nosniff')
          // Nothing in a stored file may run as a page of the app.
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('etag', `"${info.key}${got.thumbnail ? '-t' : ''}"`);
        if (!got.thumbnail && info.size >= 0) reply.header('content-length', String(info.size));
        // A URL with changedDate names one version of the contents: the browser may keep it (per user: private).
        const changed = typeof q.changedDate === 'string' ? Number(q.changedDate) : Number.NaN;
        if (info.changedDate && changed === info.changedDate.getTime()) reply.header('cache-control', 'private, max-age=31536000, immutable');
        else reply.header('cache-control', 'private, no-cache');
        if (request.headers['if-none-match'] === `"${info.key}${got.thumbnail ? '-t' : ''}"`) {
          got.stream.destroy();
          return reply.code(304).send();
        }
        return reply.send(got.stream);
      });

      // Uploads stream for as long as the client sends (bounded by the size limit), so their handler is
      // not raced against RequestTimeout: it answers on its own (the deadline wrapper leaves such handlers alone).
      await app.register(async (sub) => {
        await sub.register(multipart, { limits: { files: 1, fields: 10, fileSize: f.maxSize + 1, parts: 20 } });
        sub.post('/file', (request: FastifyRequest, reply: FastifyReply) => {
          upload(request).then(
            (r) => reply.code(200).send(r),
            // A refusal may come before the body was read to its end: the connection is not reused,
            // or the rest of that body would be taken for the client's next request on it.
            (e: unknown) => reply.header('connection', 'close').send(e),
          );
        });
      });

      async function upload(request: FastifyRequest): Promise<{ guid: string; size: number; name: string }> {
        const q = request.query as Record<string, unknown>;
        const id = parseGuid(q.guid);
        let user = open;
        if (!securityOff) {
          const s = await sessions?.resolveSession(request);
          if (!s) throw new HttpError(401, 'no valid session: log in (again)');
          const header = request.headers['x-csrf-token'];
          if (typeof header !== 'string' || !matchesSessionToken(s, header)) throw new HttpError(403, 'missing or invalid CSRF token (header X-Csrf-Token)');
          user = s.context;
        }
        const entity = await a.writable(user, id);
        if (!entity) throw new HttpError(404, 'no such file document, or not writable');
        if (!request.isMultipart()) throw new HttpError(415, 'upload the file as multipart/form-data in the field mxdocument');
        const wanted = typeof q.maxFileSize === 'string' && /^[0-9]+$/.test(q.maxFileSize) ? Number(q.maxFileSize) : undefined;
        for await (const part of request.parts()) {
          if (part.type !== 'file') continue;
          if (part.fieldname !== 'mxdocument') {
            part.file.resume();
            continue;
          }
          const name = part.filename || 'file';
          const r = await f.write(entity, id, part.file, { name, ...(wanted !== undefined ? { maxSize: wanted } : {}) });
          return { guid: String(id), size: r.size, name };
        }
        throw new HttpError(400, 'no file in the field mxdocument');
      }
    },
    async stop() {
      timers?.stop();
      await files?.store.close?.();
    },
  };
}
