import type { CompiledModel } from '../../model/compiled/types.js';
import type { CODataService } from '../../model/compiled/odata-services.js';
import { escapeHtml, htmlPage } from '../doc-assets.js';
import { edmType } from './metadata.js';

/** `/odata-doc/<location>/`: the service's entity sets, their properties with types, navigation properties and capabilities (plain HTML, no script). */
export function odataDocPage(model: CompiledModel, s: CODataService): string {
  const sets = s.sets
    .map((set) => {
      const entity = model.entities.get(set.entity)!;
      const c = set.capabilities;
      const caps = (['readable', 'insertable', 'updatable', 'deletable', 'countable', 'topSkip'] as const).filter((k) => c[k]).join(', ') || 'none';
      const rows = [
        '<tr><td><code>ID</code></td><td>Edm.Int64 (key)</td></tr>',
        ...set.properties.map((p) => `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(edmType(s, entity.attributes.get(p.name)!))}</td></tr>`),
        ...set.navigations.map(
          (n) =>
            `<tr><td><code>${escapeHtml(n.name)}</code></td><td>${n.collection ? 'collection of ' : ''}<a href="#${escapeHtml(n.target)}">${escapeHtml(n.target)}</a></td></tr>`,
        ),
      ].join('');
      return `<h2 id="${escapeHtml(set.name)}">${escapeHtml(set.name)} <small>(${escapeHtml(set.typeName)})</small></h2>
${set.description ? `<p>${escapeHtml(set.description)}</p>` : ''}<p><code>/${escapeHtml(s.location)}/${escapeHtml(set.name)}</code> - ${escapeHtml(caps)}${set.pageSize ? `; pages of ${set.pageSize}` : ''}</p>
<table><tr><th>property</th><th>type</th></tr>${rows}</table>`;
    })
    .join('\n');
  const actions = s.actions.length
    ? `<h2>Actions</h2><ul>${s.actions
        .map(
          (a) =>
            `<li><code>POST /${escapeHtml(s.location)}/${escapeHtml(a.name)}</code> (${a.parameters.map((p) => `<code>${escapeHtml(p.name)}</code>`).join(', ') || 'no parameters'})${a.description ? ` - ${escapeHtml(a.description)}` : ''}</li>`,
        )
        .join('')}</ul>`
    : '';
  const auth = s.authentication.length ? s.authentication.join(', ') : 'none (anonymous)';
  return htmlPage(
    `${s.name} OData service`,
    `<h1>${escapeHtml(s.name)} <small>OData v4, version ${escapeHtml(s.version)}</small></h1>
${s.description ? `<p>${escapeHtml(s.description)}</p>` : ''}<p>Service root <a href="/${escapeHtml(s.location)}/"><code>/${escapeHtml(s.location)}/</code></a>, metadata <a href="/${escapeHtml(s.location)}/$metadata"><code>$metadata</code></a>. Authentication: ${escapeHtml(auth)}.</p>
<p>Query options: <code>$filter</code>, <code>$orderby</code>, <code>$select</code>, <code>$expand</code>, <code>$top</code>, <code>$skip</code>, <code>$count</code>; long queries as <code>POST .../$query</code> with a text/plain body.</p>
${sets}
${actions}`,
  );
}
