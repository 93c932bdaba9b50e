import type { ClientBadge, ClientImage, ClientNavWidget, ClientText } from '../../../src/web-client/page-definition';
import { useApp, useScope } from '../app/context';
import { formatValue } from './format';
import { valueAt } from './values';
import './widgets.css';

/** Text with parameters: `{1}`, `{2}` filled with the context object's values as the user sees them. */
export function TextWidget({ w }: { w: ClientText }) {
  const app = useApp();
  const scope = useScope();
  const shown = w.text.replace(/\{(\d+)\}/g, (m, i: string) => {
    const p = w.params[Number(i) - 1];
    if (!p) return m;
    return scope.object ? formatValue(valueAt(app.store, scope.object, p.attribute), p.type, scope.entity?.attributes[p.attribute]) : '';
  });
  // Rendered as text (never as HTML): a value cannot inject markup.
  return <p className="text-widget">{shown}</p>;
}

export function Badge({ w }: { w: ClientBadge }) {
  const app = useApp();
  const scope = useScope();
  const attr = w.attribute ? scope.entity?.attributes[w.attribute] : undefined;
  const text = w.attribute ? (scope.object ? formatValue(valueAt(app.store, scope.object, w.attribute), attr?.type ?? 'String', attr) : '') : (w.text ?? '');
  if (text === '') return null;
  return <span className={`badge badge-${w.style}`}>{text}</span>;
}

/** Navigation list (vertical) and menu bar (horizontal): links to pages, in the address as the main menu's are. */
export function NavWidget({ w }: { w: ClientNavWidget }) {
  const app = useApp();
  return (
    <nav className={w.type === 'menuBar' ? 'menu-bar' : 'navigation-list'} aria-label={w.type === 'menuBar' ? 'Menu bar' : 'Navigation list'}>
      <ul>
        {w.items.map((it) => (
          <li key={`${it.page}/${it.caption}`}>
            <a
              href={`#/${it.page}`}
              onClick={(e) => {
                e.preventDefault();
                app.openPage(it.page);
              }}
            >
              {it.caption}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** A static image of the app, or the context Image object's contents (the server checks the user may read them). */
/** A data: URL of an image, base64-encoded. */
const IMAGE_DATA_URL = /^data:image\/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/]+=*$/;

export function ImageWidget({ w }: { w: ClientImage }) {
  const app = useApp();
  const scope = useScope();
  let src = w.src;
  if (w.attribute) {
    // Only an image as data (which the page's CSP allows), never a script or another site's address.
    const value = scope.object ? app.store.get(scope.object, w.attribute) : undefined;
    if (typeof value !== 'string' || !IMAGE_DATA_URL.test(value)) return null;
    src = value;
  } else if (!src) {
    const guid = scope.object;
    if (!guid || app.store.isNew(guid) || app.store.get(guid, 'HasContents') === false) return null;
    const changed = app.store.get(guid, 'changedDate');
    // The object's changedDate in the URL: a new upload is a new URL, the old one stays cacheable.
    src = `/file?guid=${encodeURIComponent(guid)}${changed !== undefined && changed !== null ? `&changedDate=${String(changed)}` : ''}${w.thumbnail ? '&thumb=true' : '&target=inline'}`;
  }
  // A height is a box the image is scaled into (its proportions kept), as Mendix's image widget does.
  return (
    <img className="image-widget" src={src} alt={w.alt} width={w.width} style={w.height ? { height: `${w.height}px`, objectFit: 'contain' } : undefined} />
  );
}
