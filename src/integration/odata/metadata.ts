import type { CAttribute, CompiledModel } from '../../model/compiled/types.js';
import type { CODataService, CODataSet } from '../../model/compiled/odata-services.js';
import type { RestValueType } from '../../model/compiled/rest-services.js';

/**
 * The service's `$metadata` (CSDL XML, OData 4.0) and its service document,
 * generated once at start-up from the compiled model. Types follow Mendix's
 * published OData: ID is the Edm.Int64 key, DateTime is Edm.DateTimeOffset,
 * Decimal Edm.Decimal, enumerations become EnumTypes with their keys as member
 * names; capabilities are stated with the Org.OData.Capabilities.V1 terms.
 */
export function edmType(service: CODataService, attr: CAttribute): string {
  switch (attr.type) {
    case 'String':
      return 'Edm.String';
    case 'Integer':
      return 'Edm.Int32';
    case 'Long':
    case 'AutoNumber':
      return 'Edm.Int64';
    case 'Decimal':
      return 'Edm.Decimal';
    case 'Boolean':
      return 'Edm.Boolean';
    case 'DateTime':
      return 'Edm.DateTimeOffset';
    case 'Enumeration':
      return `${service.namespace}.${enumTypeName(attr.enumeration!)}`;
    default:
      return 'Edm.String';
  }
}

/** EnumType name of an enumeration: its short name (Module_Enum when two modules use the same). */
function enumTypeName(qualified: string): string {
  return qualified.split('.').pop()!;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function metadataXml(model: CompiledModel, service: CODataService): string {
  const ns = service.namespace;
  const enums = new Set<string>();
  const types: string[] = [];
  for (const set of service.sets) {
    const entity = model.entities.get(set.entity)!;
    const props = [`<Property Name="ID" Type="Edm.Int64" Nullable="false"/>`];
    for (const p of set.properties) {
      const a = entity.attributes.get(p.name)!;
      if (a.type === 'Enumeration') enums.add(a.enumeration!);
      const facets =
        a.type === 'String' && a.length > 0
          ? ` MaxLength="${a.length}"`
          : a.type === 'Decimal'
            ? ' Precision="28" Scale="8"'
            : a.type === 'DateTime'
              ? ' Precision="3"'
              : '';
      // AutoNumbers are always set; Mendix leaves the other attributes nullable.
      const nullable = a.type === 'AutoNumber' || a.type === 'Boolean' ? ' Nullable="false"' : '';
      props.push(`<Property Name="${esc(p.name)}" Type="${edmType(service, a)}"${facets}${nullable}/>`);
    }
    for (const n of set.navigations) {
      const target = service.sets.find((s) => s.name === n.target)!;
      const t = `${ns}.${target.typeName}`;
      props.push(`<NavigationProperty Name="${esc(n.name)}" Type="${n.collection ? `Collection(${t})` : t}"/>`);
    }
    types.push(`<EntityType Name="${esc(set.typeName)}"><Key><PropertyRef Name="ID"/></Key>${props.join('')}</EntityType>`);
  }
  for (const a of service.actions) {
    const params = a.parameters.map((p) => {
      if (p.type.kind === 'enumeration') enums.add(p.type.enumeration);
      return `<Parameter Name="${esc(p.name)}" Type="${valueTypeEdm(service, p.type)}"/>`;
    });
    const rt = a.returns;
    if (rt?.kind === 'enumeration') enums.add(rt.enumeration);
    const ret = rt ? `<ReturnType Type="${valueTypeEdm(service, rt, a.returnSet)}"/>` : '';
    types.push(`<Action Name="${esc(a.name)}">${params.join('')}${ret}</Action>`);
  }
  for (const e of enums) {
    const en = model.enumerations.get(e)!;
    types.push(`<EnumType Name="${esc(enumTypeName(e))}">${en.values.map((v, i) => `<Member Name="${esc(v.key)}" Value="${i}"/>`).join('')}</EnumType>`);
  }
  const sets = service.sets.map((s) => {
    const bindings = s.navigations.map((n) => `<NavigationPropertyBinding Path="${esc(n.name)}" Target="${esc(n.target)}"/>`).join('');
    return `<EntitySet Name="${esc(s.name)}" EntityType="${ns}.${esc(s.typeName)}">${bindings}${capabilityAnnotations(s)}</EntitySet>`;
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">',
    '<edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Capabilities.V1.xml"><edmx:Include Namespace="Org.OData.Capabilities.V1" Alias="Capabilities"/></edmx:Reference>',
    '<edmx:DataServices>',
    `<Schema Namespace="${ns}" xmlns="http://docs.oasis-open.org/odata/ns/edm">`,
    ...types,
    `<EntityContainer Name="${esc(service.shortName)}">`,
    ...sets,
    ...service.actions.map(
      (a) => `<ActionImport Name="${esc(a.name)}" Action="${ns}.${esc(a.name)}"${a.returnSet ? ` EntitySet="${esc(a.returnSet)}"` : ''}/>`,
    ),
    '</EntityContainer>',
    '</Schema>',
    '</edmx:DataServices>',
    '</edmx:Edmx>',
    '',
  ].join('\n');
}

/** An action parameter's or result's type in CSDL. */
function valueTypeEdm(service: CODataService, t: RestValueType, set?: string): string {
  switch (t.kind) {
    case 'primitive':
      return { String: 'Edm.String', Integer: 'Edm.Int32', Long: 'Edm.Int64', Decimal: 'Edm.Decimal', Boolean: 'Edm.Boolean', DateTime: 'Edm.DateTimeOffset' }[
        t.type
      ];
    case 'enumeration':
      return `${service.namespace}.${enumTypeName(t.enumeration)}`;
    case 'object':
    case 'list': {
      const type = `${service.namespace}.${service.sets.find((s) => s.name === set)!.typeName}`;
      return t.kind === 'list' ? `Collection(${type})` : type;
    }
  }
}

function capabilityAnnotations(s: CODataSet): string {
  const c = s.capabilities;
  const bool = (v: boolean) => (v ? 'true' : 'false');
  return [
    `<Annotation Term="Capabilities.InsertRestrictions"><Record><PropertyValue Property="Insertable" Bool="${bool(c.insertable)}"/></Record></Annotation>`,
    `<Annotation Term="Capabilities.UpdateRestrictions"><Record><PropertyValue Property="Updatable" Bool="${bool(c.updatable)}"/></Record></Annotation>`,
    `<Annotation Term="Capabilities.DeleteRestrictions"><Record><PropertyValue Property="Deletable" Bool="${bool(c.deletable)}"/></Record></Annotation>`,
    `<Annotation Term="Capabilities.CountRestrictions"><Record><PropertyValue Property="Countable" Bool="${bool(c.countable)}"/></Record></Annotation>`,
    `<Annotation Term="Capabilities.TopSupported" Bool="${bool(c.topSkip)}"/>`,
    `<Annotation Term="Capabilities.SkipSupported" Bool="${bool(c.topSkip)}"/>`,
  ].join('');
}

export function serviceDocument(service: CODataService, base: string): string {
  return JSON.stringify({
    '@odata.context': `${base}/$metadata`,
    value: service.sets.filter((s) => s.capabilities.readable).map((s) => ({ name: s.name, kind: 'EntitySet', url: s.name })),
  });
}
