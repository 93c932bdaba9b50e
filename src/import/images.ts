import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { list, type ModelIndex, str } from './model-index.js';

/** Mendix image formats -> the file extensions Kiln serves from an app's images/ folder. */
const EXTENSIONS: Record<string, string> = { Png: 'png', Jpg: 'jpg', Jpeg: 'jpg', Gif: 'gif', Svg: 'svg', Webp: 'webp' };

/** A path segment Kiln's image `src` accepts (letters, digits, `_ - .`, not starting with a dot). */
const segment = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\./, '_');

/**
 * The images of the project's image collections, written to the app's `images/` folder
 * (`images/<Module>/<Collection>/<Name>.<ext>`, which the image widget's `src` names) only when
 * an imported widget shows them.
 */
export class ImageFiles {
  private readonly images = new Map<string, { hex: string; format: string }>();
  private readonly used = new Map<string, Buffer>();

  constructor(index: ModelIndex) {
    for (const d of index.documents('Images$ImageCollection'))
      for (const i of list(d.unit.doc.Images)) this.images.set(`${d.module}.${d.name}.${str(i.Name)}`, { hex: str(i.Image), format: str(i.ImageFormat) });
  }

  /** The `src` of image `Module.Collection.Name`, or why it has none. */
  src(qualified: string): { src: string } | { missing: string } {
    const img = this.images.get(qualified);
    if (!img) return { missing: `image ${qualified} is not in the project` };
    const ext = EXTENSIONS[img.format];
    if (!ext) return { missing: `image ${qualified} is a ${img.format || 'file of unknown format'}, which Kiln does not serve` };
    // The decoder gives binary data as hex (see units.ts).
    if (!/^([0-9a-f]{2})+$/i.test(img.hex)) return { missing: `image ${qualified} has no contents` };
    const src = `${qualified.split('.').map(segment).join('/')}.${ext}`;
    this.used.set(src, Buffer.from(img.hex, 'hex'));
    return { src };
  }

  /** Writes the images shown by imported widgets under `<outDir>/images/`. */
  write(outDir: string): void {
    for (const [src, bytes] of this.used) {
      const path = join(outDir, 'images', src);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, bytes);
    }
  }
}
