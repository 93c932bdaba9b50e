import DOMPurify from 'dompurify';
import { useEffect, useRef } from 'react';

/**
 * Rich text (HTML held in a String attribute): a small editor and a read-only view.
 * Whatever the attribute holds — typed here, pasted, or written by anyone through the
 * API — is sanitised with DOMPurify before it reaches the page: only formatting
 * elements and links with safe URLs survive; scripts, event handlers, styles, frames
 * and forms never do.
 */
const ALLOWED = {
  ALLOWED_TAGS: ['p', 'br', 'b', 'strong', 'i', 'em', 'u', 's', 'ul', 'ol', 'li', 'a', 'h3', 'h4', 'blockquote', 'code', 'pre'],
  ALLOWED_ATTR: ['href'],
};

function sanitizeHtml(html: string): string {
  return DOMPurify.sanitize(html, ALLOWED);
}

export function RichTextView({ html }: { html: string }) {
  // biome-ignore lint/security/noDangerouslySetInnerHtml: the HTML is sanitised right here, with an allow-list of formatting elements
  return <div className="rich-text-view" dangerouslySetInnerHTML={{ __html: sanitizeHtml(html) }} />;
}

export function RichTextEditor({ id, html, onChange, aria }: { id: string; html: string; onChange: (html: string) => void; aria: Record<string, unknown> }) {
  const ref = useRef<HTMLDivElement>(null);
  // Follow the object when it changes from elsewhere; while the user types, the editor is the source (the caret stays).
  useEffect(() => {
    const el = ref.current;
    if (el && sanitizeHtml(el.innerHTML) !== sanitizeHtml(html)) el.innerHTML = sanitizeHtml(html);
  }, [html]);
  const command = (name: string) => {
    ref.current?.focus();
    document.execCommand(name);
    if (ref.current) onChange(sanitizeHtml(ref.current.innerHTML));
  };
  return (
    <div className="rich-text">
      <div className="rich-text-toolbar" role="toolbar" aria-label="Formatting" aria-controls={id}>
        <button type="button" onMouseDown={(e) => e.preventDefault()} onClick={() => command('bold')} aria-label="Bold">
          <b>B</b>
        </button>
        <button type="button" onMouseDown={(e) => e.preventDefault()} onClick={() => command('italic')} aria-label="Italic">
          <i>I</i>
        </button>
        <button type="button" onMouseDown={(e) => e.preventDefault()} onClick={() => command('insertUnorderedList')} aria-label="Bulleted list">
          •
        </button>
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: a rich text editor: a textarea cannot hold formatting */}
      <div
        id={id}
        ref={ref}
        className="rich-text-editor"
        role="textbox"
        aria-multiline="true"
        tabIndex={0}
        contentEditable
        suppressContentEditableWarning
        onInput={(e) => onChange(sanitizeHtml(e.currentTarget.innerHTML))}
        {...aria}
      />
    </div>
  );
}
