/**
 * Under `kiln dev` (the page shell carries <meta name="kiln-dev">): listens to
 * /dev/events; a new model version reloads the page, errors are shown over it.
 */
export function listenToDevServer(): void {
  if (!document.querySelector('meta[name="kiln-dev"]')) return;
  let version: number | undefined;
  const events = new EventSource('/dev/events');
  events.addEventListener('model', (e) => {
    const d = JSON.parse((e as MessageEvent<string>).data) as { version: number; errors: string };
    if (version !== undefined && d.version !== version) {
      window.location.reload();
      return;
    }
    version = d.version;
    showErrors(d.errors);
  });
}

function showErrors(text: string): void {
  let box = document.getElementById('kiln-dev-errors');
  if (!text) {
    box?.remove();
    return;
  }
  if (!box) {
    box = document.createElement('pre');
    box.id = 'kiln-dev-errors';
    box.setAttribute('role', 'alert');
    Object.assign(box.style, {
      position: 'fixed',
      inset: 'auto 0 0 0',
      maxHeight: '50vh',
      overflow: 'auto',
      margin: '0',
      padding: '1em',
      background: '#2b0d0d',
      color: '#ffd7d7',
      font: '13px/1.4 ui-monospace, monospace',
      zIndex: '10000',
      whiteSpace: 'pre-wrap',
    });
    document.body.appendChild(box);
  }
  box.textContent = `The model has errors; the app runs the last good model.\n\n${text}`;
}
