/**
 * Under `kiln dev` (the page shell carries <meta name="kiln-dev">): listens to
 * /dev/events; a new model version reloads the page, errors are shown over it.
 */
export function listenToDevServer(): void {
  if (!document.querySelector('meta[name="kiln-dev"]')) return;
  let version: number | undefined;
  const events = new EventSource('/dev/events');
  events.addEventListener('model', (e) => {
    const d = JSON.parse((e as MessageEvent<string>).data) as { version: number; errors: string; destructive?: string };
    if (version !== undefined && d.version !== version) {
      window.location.reload();
      return;
    }
    version = d.version;
    if (d.destructive) {
      showErrors(
        `${d.destructive}\n\nAnswer y in the terminal where kiln dev runs to apply it; anything else keeps the last good model.`,
        'The save waits for an answer; the app runs the last good model.',
      );
    } else showErrors(d.errors, 'The model has errors; the app runs the last good model.');
  });
}

function showErrors(text: string, title: string): void {
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
  box.textContent = `${title}\n\n${text}`;
}
