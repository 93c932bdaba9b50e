/**
 * The API documentation pages (/api-doc/, /rest-doc/): plain HTML written on
 * the server, a stylesheet, and one script that renders a service's OpenAPI
 * document and lets a developer try its operations (same origin, the
 * browser's own session or Basic credentials). No inline script or style and
 * nothing from another site: the pages run under the browser client's
 * Content-Security-Policy.
 */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function htmlPage(title: string, body: string, script?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="stylesheet" href="/rest-doc/doc.css">${script ? `<script type="module" src="${escapeHtml(script)}"></script>` : ''}</head>
<body><main>${body}</main></body></html>
`;
}

export const DOC_CSS = `body{font-family:system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1b1f24}
main{max-width:960px;margin:0 auto;padding:24px}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}
a{color:#0b5cad}
.op{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:12px 0;padding:12px}
.method{display:inline-block;min-width:64px;font-weight:700;font-family:monospace;padding:2px 6px;border-radius:4px;color:#fff;background:#555;text-align:center}
.GET{background:#1f7a3f}.POST{background:#0b5cad}.PUT{background:#9a6700}.PATCH{background:#6f42c1}.DELETE{background:#b42318}
.path{font-family:monospace;margin-left:8px}
pre{background:#0d1117;color:#e6edf3;padding:8px;border-radius:4px;overflow:auto;max-height:320px}
label{display:block;margin:4px 0}input,textarea{font-family:monospace;width:100%;box-sizing:border-box}
button{margin-top:6px}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:left}
`;

/** Renders `openapi.json` (next to the page) and sends tries with fetch. */
export const DOC_JS = `const root = document.querySelector('main');
const el = (tag, props = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
};
const res = await fetch('openapi.json', { credentials: 'same-origin' });
if (!res.ok) {
  root.append(el('p', {}, 'The OpenAPI document could not be loaded (' + res.status + ').'));
} else {
  const doc = await res.json();
  const base = doc.servers[0].url;
  root.append(el('h1', {}, doc.info.title + ' ' + doc.info.version));
  if (doc.info.description) root.append(el('p', {}, doc.info.description));
  root.append(el('p', {}, 'Base URL ', el('code', {}, location.origin + base), ' - ', el('a', { href: 'openapi.json' }, 'openapi.json')));
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const M = method.toUpperCase();
      const box = el('section', { class: 'op' });
      box.append(el('span', { class: 'method ' + M }, M), el('span', { class: 'path' }, path));
      if (op.summary) box.append(el('p', {}, op.summary));
      const inputs = [];
      for (const p of op.parameters ?? []) {
        const input = el('input', { name: p.name, placeholder: p.schema.type + (p.schema.format ? ' (' + p.schema.format + ')' : '') });
        inputs.push([p, input]);
        box.append(el('label', {}, p.name + ' (' + p.in + (p.required ? ', required' : '') + ')', input));
      }
      let body;
      if (op.requestBody) {
        const [type, media] = Object.entries(op.requestBody.content)[0];
        body = [type, el('textarea', { rows: '5' })];
        box.append(el('label', {}, 'Body (' + type + ')', body[1]), el('pre', {}, JSON.stringify(media.schema, null, 2)));
      }
      const responses = el('table', {}, el('tr', {}, el('th', {}, 'Status'), el('th', {}, 'Meaning')));
      for (const [code, r] of Object.entries(op.responses)) responses.append(el('tr', {}, el('td', {}, code), el('td', {}, r.description)));
      box.append(responses);
      const out = el('pre', {});
      const go = el('button', { type: 'button' }, 'Try it');
      go.addEventListener('click', async () => {
        let url = base + path;
        const query = new URLSearchParams();
        const headers = {};
        for (const [p, input] of inputs) {
          if (!input.value) continue;
          if (p.in === 'path') url = url.replace('{' + p.name + '}', encodeURIComponent(input.value));
          else if (p.in === 'query') query.set(p.name, input.value);
          else headers[p.name] = input.value;
        }
        if (query.size) url += '?' + query;
        const init = { method: M, headers, credentials: 'same-origin' };
        if (body) {
          headers['Content-Type'] = body[0];
          init.body = body[1].value;
        }
        const r = await fetch(url, init);
        out.textContent = r.status + ' ' + r.statusText + '\\n\\n' + (await r.text());
      });
      box.append(go, out);
      root.append(box);
    }
  }
}
`;
