import { useState } from 'react';
import type { ClientFileWidget } from '../../../src/web-client/page-definition';
import { useApp, useScope, useStoreVersion } from '../app/context';
import { t } from '../i18n/texts';

/** Bytes as the user reads them: 1.4 MB, 12 kB, 300 B. */
function formatSize(bytes: number): string {
  if (bytes < 0) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10240 ? 1 : 0)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

interface Uploaded {
  readonly name: string;
  readonly size: number;
  readonly at: number;
}

/**
 * A FileDocument's contents (fileManager) or an Image's (imageViewer) in a data
 * view: name and size, a download link (`/file?guid=..&changedDate=..`), the
 * thumbnail of an image, and an uploader with progress (POST /file, field
 * `mxdocument`, the session's CSRF token) when the user may write them. The
 * object must be saved first: contents belong to a committed object.
 */
export function FileWidget({ w }: { w: ClientFileWidget }) {
  const app = useApp();
  const scope = useScope();
  useStoreVersion(app.store);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [uploaded, setUploaded] = useState<Uploaded | null>(null);
  const guid = scope.object;
  if (!guid) return null;
  const isNew = app.store.isNew(guid);
  const name = uploaded?.name ?? String(app.store.get(guid, 'Name') ?? '');
  const sizeValue = app.store.get(guid, 'Size');
  const size = uploaded?.size ?? (sizeValue === undefined || sizeValue === null ? -1 : Number(sizeValue));
  const has = uploaded !== null || app.store.get(guid, 'HasContents') === true;
  const changed = uploaded?.at ?? app.store.get(guid, 'changedDate');
  const version = uploaded ? `&v=${uploaded.at}` : changed !== undefined && changed !== null ? `&changedDate=${String(changed)}` : '';
  const url = `/file?guid=${encodeURIComponent(guid)}${version}`;

  function upload(file: File): void {
    if (w.maxFileSize !== undefined && file.size > w.maxFileSize) {
      setError(`The file is larger than ${formatSize(w.maxFileSize)}.`);
      return;
    }
    setError(null);
    setProgress(0);
    const form = new FormData();
    form.append('mxdocument', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/file?guid=${encodeURIComponent(guid!)}${w.maxFileSize !== undefined ? `&maxFileSize=${w.maxFileSize}` : ''}`);
    const token = app.ops.xas.csrfToken;
    if (token) xhr.setRequestHeader('X-Csrf-Token', token);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) setProgress(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onload = () => {
      setProgress(null);
      if (xhr.status === 200) {
        const r = JSON.parse(xhr.responseText) as { name: string; size: number };
        setUploaded({ name: r.name, size: r.size, at: Date.now() });
      } else {
        let message = `Upload failed (${xhr.status}).`;
        try {
          message = (JSON.parse(xhr.responseText) as { error?: string }).error ?? message;
        } catch {
          /* not JSON */
        }
        setError(message);
      }
    };
    xhr.onerror = () => {
      setProgress(null);
      setError('Upload failed: no connection.');
    };
    xhr.send(form);
  }

  return (
    <div className={`file-widget ${w.type}`}>
      {w.label ? <div className="muted">{w.label}</div> : null}
      {w.type === 'imageViewer' && has ? (
        <a href={`${url}&target=inline`} target="_blank" rel="noopener noreferrer">
          <img className="file-thumbnail" src={`${url}&thumb=true`} alt={name} />
        </a>
      ) : null}
      {has ? (
        <p className="file-info">
          <a className="file-download" href={url} download={name || true}>
            {name || 'file'}
          </a>{' '}
          <span className="muted file-size">{formatSize(size)}</span>
        </p>
      ) : (
        <p className="muted">{t('noFile')}</p>
      )}
      {w.upload ? (
        isNew ? (
          <p className="muted">{t('saveToUpload')}</p>
        ) : (
          <label className="btn file-upload">
            {has ? t('replace') : t('upload')}
            <input
              type="file"
              hidden
              disabled={progress !== null}
              accept={w.type === 'imageViewer' ? 'image/png,image/jpeg,image/gif,image/webp,image/bmp' : undefined}
              onChange={(e) => {
                const f = e.target.files?.[0];
                e.target.value = '';
                if (f) upload(f);
              }}
            />
          </label>
        )
      ) : null}
      {progress !== null ? <progress className="file-progress" max={100} value={progress} /> : null}
      {error ? <p className="field-error">{error}</p> : null}
    </div>
  );
}
