import type { CAttribute, CompiledModel } from '../model/compiled/types.js';
import type { CMappingNode } from '../model/compiled/mappings.js';
import { HTTP_RESPONSE, type CRestNested, type CRestOperation, type CRestService, type RestValueType } from '../model/compiled/rest-services.js';

type Schema = Record<string, unknown>;

const ERROR_SCHEMA: Schema = {
  type: 'object',
  properties: { error: { type: 'string' } },
  required: ['error'],
};

function attributeSchema(model: CompiledModel, a: CAttribute): Schema | undefined {
  switch (a.type) {
    case 'String':
      return a.length > 0 ? { type: 'string', maxLength: a.length, nullable: true } : { type: 'string', nullable: true };
    case 'Integer':
      return { type: 'integer', format: 'int32', nullable: true };
    case 'Long':
    case 'AutoNumber':
      return { type: 'integer', format: 'int64', nullable: true };
    case 'Decimal':
      return { type: 'number', nullable: true };
    case 'Boolean':
      return { type: 'boolean' };
    case 'DateTime':
      return { type: 'string', format: 'date-time', nullable: true };
    case 'Enumeration':
      return { type: 'string', enum: [...(model.enumerations.get(a.enumeration ?? '')?.values.map((v) => v.key) ?? []), null], nullable: true };
    default:
      return undefined;
  }
}

const isFile = (model: CompiledModel, entity: string) => model.entities.get(entity)?.chain.includes('System.FileDocument') ?? false;

/** The JSON a mapping reads or writes, level by level (its keys, the attributes' types, nested objects and arrays). */
function mappingSchema(model: CompiledModel, name: string): Schema {
  const mapping = model.mappings!.get(name)!;
  const level = (node: CMappingNode): Schema => {
    const entity = model.entities.get(node.entity)!;
    const properties: Record<string, unknown> = {};
    for (const { key, attribute, convert } of node.attributes) {
      // Through a converter the JSON holds the converter's side of the value, not the attribute's.
      const a = attributeSchema(model, convert?.json ?? entity.attributes.get(attribute)!);
      if (a) properties[key] = a;
    }
    for (const c of node.children) properties[c.key] = c.list ? { type: 'array', items: level(c.node) } : { ...level(c.node), nullable: true };
    return { type: 'object', title: node.entity, properties };
  };
  const root = level(mapping.root);
  return mapping.list ? { type: 'array', items: root } : root;
}

function valueSchema(
  model: CompiledModel,
  t: RestValueType,
  attributes: readonly string[] | undefined,
  input: boolean,
  nested: readonly (CRestNested & { keyAttribute?: string })[] = [],
): Schema {
  if (t.kind === 'enumeration') return { type: 'string', enum: model.enumerations.get(t.enumeration)?.values.map((v) => v.key) ?? [] };
  if (t.kind === 'primitive') {
    switch (t.type) {
      case 'String':
        return { type: 'string' };
      case 'Integer':
        return { type: 'integer', format: 'int32' };
      case 'Long':
        return { type: 'integer', format: 'int64' };
      case 'Decimal':
        return { type: 'number' };
      case 'Boolean':
        return { type: 'boolean' };
      case 'DateTime':
        return { type: 'string', format: 'date-time' };
    }
  }
  const entity = model.entities.get(t.entity)!;
  const properties: Record<string, Schema> = {};
  const names =
    attributes ??
    [...entity.attributes.values()].filter((a) => !input || (!a.system && !a.calculated && a.type !== 'AutoNumber' && a.type !== 'Binary')).map((a) => a.name);
  for (const n of names) {
    const a = entity.attributes.get(n);
    const s = a && attributeSchema(model, a);
    if (s) properties[n] = s;
  }
  for (const n of nested) {
    const child = input && n.keyAttribute ? [n.keyAttribute] : n.attributes;
    properties[n.key] = { ...valueSchema(model, { kind: 'object', entity: n.entity }, child, false), nullable: true };
  }
  const obj: Schema = { type: 'object', title: entity.name, properties };
  return t.kind === 'list' ? { type: 'array', items: obj } : obj;
}

function operationObject(model: CompiledModel, svc: CRestService, op: CRestOperation): Schema {
  // The location's path parameters are the server URL's variables, not the operation's.
  const own = (p: { source: string; key: string }) => p.source !== 'path' || op.segments.some((s) => 'param' in s && s.param === p.key);
  const parameters = op.parameters
    .filter((p): p is typeof p & { source: 'path' | 'query' | 'header' } => (p.source === 'path' || p.source === 'query' || p.source === 'header') && own(p))
    .map((p) => ({
      name: p.key,
      in: p.source,
      required: p.required,
      ...(p.description ? { description: p.description } : {}),
      schema: valueSchema(model, p.type, undefined, true),
    }));
  const body = op.parameters.find((p) => p.source === 'body');
  const err = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
  const responses: Record<string, unknown> = {};
  const rt = op.returns;
  if (!rt) responses['204'] = { description: 'Done; no content.' };
  else if (rt.kind === 'object' && rt.entity === HTTP_RESPONSE)
    responses.default = { description: 'The answer the microflow builds (status, headers and content).' };
  else if (rt.kind === 'object' && isFile(model, rt.entity))
    responses['200'] = {
      description: `The contents of the ${rt.entity}.`,
      content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
    };
  else if (rt.kind === 'object' || rt.kind === 'list')
    responses['200'] = {
      description: rt.kind === 'list' ? `The ${rt.entity} objects the caller may read.` : `The ${rt.entity} object.`,
      content: {
        'application/json': {
          schema: op.exportMapping ? mappingSchema(model, op.exportMapping) : valueSchema(model, rt, op.exportAttributes, false, op.exportAssociations),
        },
      },
    };
  else {
    responses['200'] = { description: 'The result as text.', content: { 'text/plain': { schema: { type: 'string' } } } };
    responses['204'] = { description: 'The microflow returned empty.' };
  }
  responses['400'] = err('A parameter or the body is malformed.');
  if (svc.authentication.length > 0) {
    responses['401'] = err('Authentication is required.');
    responses['403'] = err('The user has none of the allowed roles.');
  }
  if (rt?.kind === 'object' || op.segments.some((s) => 'param' in s)) responses['404'] = err('Not found.');
  if (body) responses['422'] = err('Validation failed.');
  responses['500'] = err('The microflow failed.');
  return {
    operationId: `${op.method.toLowerCase()}_${op.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9_]+/g, '_')}`,
    tags: [op.resource],
    ...(op.summary ? { summary: op.summary } : {}),
    ...(op.description ? { description: op.description } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(body
      ? {
          requestBody: {
            required: true,
            content:
              body.type.kind === 'primitive'
                ? { 'text/plain': { schema: { type: 'string' } } }
                : body.type.kind === 'object' && isFile(model, body.type.entity)
                  ? { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } }
                  : {
                      'application/json': {
                        schema: op.importMapping
                          ? mappingSchema(model, op.importMapping)
                          : valueSchema(model, body.type, op.importAttributes, true, op.importAssociations),
                      },
                    },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.0 document of a published REST service, generated from the model. */
export function openApiDocument(model: CompiledModel, svc: CRestService): Schema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of svc.operations) {
    const p = `/${op.path}`;
    paths[p] ??= {};
    paths[p]![op.method.toLowerCase()] = operationObject(model, svc, op);
  }
  const securitySchemes: Record<string, unknown> = {};
  if (svc.authentication.includes('basic')) securitySchemes.basic = { type: 'http', scheme: 'basic' };
  if (svc.authentication.includes('session'))
    securitySchemes.session = {
      type: 'apiKey',
      in: 'header',
      name: 'X-Csrf-Token',
      description: 'The active session (cookie XASSESSIONID) and its CSRF token.',
    };
  return {
    openapi: '3.0.3',
    info: { title: svc.name, version: svc.version, ...(svc.description ? { description: svc.description } : {}) },
    servers: [
      {
        url: `/${svc.location}`,
        ...(svc.locationParams.length
          ? { variables: Object.fromEntries(svc.locationParams.map((p) => [p, { default: p, description: `path parameter ${p}` }])) }
          : {}),
      },
    ],
    paths,
    components: { schemas: { Error: ERROR_SCHEMA }, ...(Object.keys(securitySchemes).length ? { securitySchemes } : {}) },
    ...(Object.keys(securitySchemes).length ? { security: Object.keys(securitySchemes).map((a) => ({ [a]: [] })) } : {}),
  };
}
