import { SYSTEM_MODULE } from '../model/system-module.js';
import { ImageFiles } from './images.js';
import { last, list, type ModelIndex, obj, str } from './model-index.js';
import type { MxObject } from './units.js';

type Json = Record<string, unknown>;

/** What a pluggable widget's conversion needs of the page converter. */
export interface PluggableContext {
  readonly notes: string[];
  /** The text of a client template in the project's language. */
  template(t: unknown): string;
  readonly index: ModelIndex;
}

/** A pluggable widget's properties by their keys (the keys are in the widget's type, the values point at them). */
export function widgetProps(w: MxObject): (o: MxObject | undefined) => Map<string, MxObject | undefined> {
  const keys = new Map<string, string>();
  const collect = (ot: MxObject | undefined) => {
    for (const pt of list(ot?.PropertyTypes)) {
      keys.set(str(pt.$ID), str(pt.PropertyKey));
      collect(obj(obj(pt.ValueType)?.ObjectType));
    }
  };
  collect(obj(obj(w.Type)?.ObjectType));
  return (o) => new Map(list(o?.Properties).map((p) => [keys.get(str(p.TypePointer)) ?? '', obj(p.Value)]));
}

const imageFilesOf = new WeakMap<ModelIndex, ImageFiles>();
/** The project's image files (one table per import: the images widgets show are written with the app). */
export function imageFiles(index: ModelIndex): ImageFiles {
  let f = imageFilesOf.get(index);
  if (!f) imageFilesOf.set(index, (f = new ImageFiles(index)));
  return f;
}

const associationTypesOf = new WeakMap<ModelIndex, Map<string, string>>();
/** Qualified association -> Reference or ReferenceSet: the project's and Kiln's System module's. */
export function associationType(index: ModelIndex, q: string): string | undefined {
  let m = associationTypesOf.get(index);
  if (!m) {
    m = new Map(Object.entries(SYSTEM_MODULE.associations ?? {}).map(([n, a]) => [`System.${n}`, a.type ?? 'Reference']));
    for (const d of index.documents('DomainModels$DomainModel'))
      for (const a of [...list(d.unit.doc.Associations), ...list(d.unit.doc.CrossAssociations)])
        m.set(`${d.module}.${str(a.Name)}`, str(a.Type) === 'ReferenceSet' ? 'ReferenceSet' : 'Reference');
    associationTypesOf.set(index, m);
  }
  return m.get(q);
}

/**
 * Mendix's Image widget (com.mendix.widget.web.image.Image) as Kiln's `image`: a static image
 * of the project's image collections (written to the app's images/ folder), its alternative text,
 * and its size in pixels.
 */
export function convertImage(ctx: PluggableContext, w: MxObject): Json[] {
  const props = widgetProps(w)(obj(w.Object));
  const name = str(w.Name);
  const source = str(props.get('datasource')?.PrimitiveValue) || 'image';
  const image = str(props.get('imageObject')?.Image);
  const url = obj(props.get('imageUrl')?.TextTemplate);
  const urlParams = list(url?.Parameters);
  const urlAttr = obj(urlParams[0]?.AttributeRef);
  // An image whose URL is one String attribute (a data: URL, as a screenshot kept in the object): Kiln's image over that attribute.
  if (source === 'imageUrl' && ctx.template(url).trim() === '{1}' && urlParams.length === 1 && str(urlAttr?.Attribute) && !obj(urlAttr?.EntityRef)) {
    const alt = altText(ctx, props.get('alternativeText')?.TextTemplate);
    return [{ image: { attribute: last(str(urlAttr?.Attribute)), ...(alt ? { alt } : {}) } }];
  }
  if (source !== 'image' || !image) {
    ctx.notes.push(
      `image ${name}: its ${source === 'image' ? 'dynamic image' : source} source left out (Kiln's image shows a project image or the data view's Image object)`,
    );
    return [];
  }
  const file = imageFiles(ctx.index).src(image);
  if ('missing' in file) {
    ctx.notes.push(`image ${name} left out: ${file.missing}`);
    return [];
  }
  const out: Json = { src: file.src };
  const alt = altText(ctx, props.get('alternativeText')?.TextTemplate);
  if (alt) out.alt = alt;
  for (const dim of ['width', 'height'] as const) {
    const unit = str(props.get(`${dim}Unit`)?.PrimitiveValue);
    const n = Number(props.get(dim)?.PrimitiveValue);
    if (unit === 'pixels' && Number.isInteger(n) && n >= 1 && n <= 4000) out[dim] = n;
    else if (unit && unit !== 'auto') ctx.notes.push(`image ${name}: its ${dim} in ${unit} left out (Kiln sizes images in pixels)`);
  }
  if (str(props.get('isBackgroundImage')?.PrimitiveValue) === 'true')
    ctx.notes.push(`image ${name}: shown as an image, not as a background with content over it`);
  const click = obj(props.get('onClick')?.Action);
  if (click && click.$Type !== 'Forms$NoAction') ctx.notes.push(`image ${name}: its on-click action (${str(click.$Type)}) left out`);
  return [{ image: out }];
}

/** An image's alternative text: its template with literal text parameters filled in ('' when a parameter is not a literal). */
function altText(ctx: PluggableContext, template: unknown): string {
  const params = list(obj(template)?.Parameters).map((p) => /^'((?:[^']|'')*)'$/.exec(str(p.Expression).trim())?.[1]?.replace(/''/g, "'"));
  const text = ctx.template(template).replace(/\{(\d+)\}/g, (_m, n: string) => params[Number(n) - 1] ?? '\u0000');
  return text.includes('\u0000') ? '' : text.trim();
}

/**
 * Mendix's Combo box (com.mendix.widget.web.combobox.Combobox) over an association as Kiln's
 * reference selector (a Reference) or reference set selector (a ReferenceSet), showing the caption
 * attribute of the objects; over an enumeration as a drop-down.
 */
export function convertCombobox(ctx: PluggableContext, w: MxObject): Json[] {
  const props = widgetProps(w)(obj(w.Object));
  const name = str(w.Name);
  const kind = str(props.get('optionsSourceType')?.PrimitiveValue);
  const label = ctx.template(w.LabelTemplate);
  const readOnly = str(w.Editable) === 'Never' ? { readOnly: true } : {};
  if (kind === 'enumeration' || kind === 'boolean') {
    const ref = obj(props.get(kind === 'enumeration' ? 'attributeEnumeration' : 'attributeBoolean')?.AttributeRef);
    const attr = str(ref?.Attribute);
    if (!attr || obj(ref?.EntityRef)) {
      ctx.notes.push(`combo box ${name}: its attribute (over an association or not found) left out`);
      return [];
    }
    return [{ [kind === 'enumeration' ? 'dropDown' : 'checkBox']: { attribute: last(attr), ...(label ? { label } : {}), ...readOnly } }];
  }
  if (kind !== 'association') {
    ctx.notes.push(`combo box ${name}: its ${kind || 'unknown'} options source has no Kiln form, left out`);
    return [];
  }
  const steps = list(obj(props.get('attributeAssociation')?.EntityRef)?.Steps);
  const association = str(steps[0]?.Association);
  const type = association ? associationType(ctx.index, association) : undefined;
  if (steps.length !== 1 || !type) {
    ctx.notes.push(`combo box ${name}: its association ${association || '(none)'} not found, left out`);
    return [];
  }
  const captionType = str(props.get('optionsSourceAssociationCaptionType')?.PrimitiveValue);
  const expression = str(props.get('optionsSourceAssociationCaptionExpression')?.Expression).trim();
  // A caption expression that is just one attribute of the option is that attribute.
  const caption =
    captionType === 'expression'
      ? /^\$currentObject\/([A-Za-z_][A-Za-z0-9_]*)$/.exec(expression)?.[1]
      : last(str(obj(props.get('optionsSourceAssociationCaptionAttribute')?.AttributeRef)?.Attribute));
  if (!caption) {
    ctx.notes.push(`combo box ${name}: its caption ${captionType === 'expression' ? `expression '${expression}'` : 'attribute'} has no Kiln form, left out`);
    return [];
  }
  // The options' XPath constraint and sort carry over (a sort over an association is noted).
  const src = obj(props.get('optionsSourceAssociationDataSource')?.DataSource);
  const constraint = str(src?.XPathConstraint).trim();
  const sort = list(obj(src?.SortBar)?.SortItems).flatMap((s) => {
    if (obj(obj(s.AttributeRef)?.EntityRef)) {
      ctx.notes.push(`combo box ${name}: sorting its options over an association (${str(obj(s.AttributeRef)?.Attribute)}) left out`);
      return [];
    }
    const a = last(str(obj(s.AttributeRef)?.Attribute));
    return [str(s.SortOrder) === 'Descending' ? { attribute: a, descending: true } : a];
  });
  const byCaption = sort.length === 0 || (sort.length === 1 && sort[0] === caption);
  return [
    {
      [type === 'ReferenceSet' ? 'referenceSetSelector' : 'referenceSelector']: {
        association,
        attribute: caption,
        ...(constraint ? { constraint } : {}),
        ...(byCaption ? {} : { sort }),
        ...(label ? { label } : {}),
        ...readOnly,
      },
    },
  ];
}
