import { Decimal } from 'decimal.js';
import { malformedRequest } from '../core/errors.js';
import type { CAttribute, CompiledModel } from '../model/compiled/types.js';
import type { RestValueType } from '../model/compiled/rest-services.js';
import type { AttributeValue } from '../objects/values.js';
import { valueFromJson } from '../client-api/protocol/values.js';

// Attribute values as JSON text: one writer for published answers, OData and the export mappings.
export { valueToJsonText } from '../logic/mappings/json-values.js';

/** A JSON value of a request body -> the attribute's value; a wrong value is a 400 naming `field`. */
export function valueFromRestJson(model: CompiledModel, attr: CAttribute, j: unknown, field: string): AttributeValue {
  if (attr.type === 'DateTime' && typeof j === 'string') {
    const t = Date.parse(j);
    if (!/^\d{4}-\d{2}-\d{2}/.test(j) || Number.isNaN(t)) throw malformedRequest(field, 'must be a date in ISO 8601 form (2024-12-31T09:00:00Z)');
    return new Date(t);
  }
  return valueFromJson(model, attr, j, field);
}

/** A path, query or header value (text) -> the microflow parameter's value; a wrong value is a 400 naming `field`. */
export function valueFromText(model: CompiledModel, type: RestValueType, text: string, field: string): AttributeValue {
  if (type.kind === 'enumeration') {
    if (!model.enumerations.get(type.enumeration)?.values.some((v) => v.key === text))
      throw malformedRequest(field, `'${text.slice(0, 100)}' is not a value of ${type.enumeration}`);
    return text;
  }
  if (type.kind !== 'primitive') throw malformedRequest(field, 'cannot be given as text');
  switch (type.type) {
    case 'String':
      return text;
    case 'Integer': {
      const n = /^-?\d{1,10}$/.test(text) ? Number(text) : Number.NaN;
      if (!Number.isInteger(n) || n < -2147483648 || n > 2147483647) throw malformedRequest(field, 'must be a 32-bit integer');
      return n;
    }
    case 'Long': {
      const b = /^-?\d{1,19}$/.test(text) ? BigInt(text) : undefined;
      if (b === undefined || b < -(2n ** 63n) || b >= 2n ** 63n) throw malformedRequest(field, 'must be a 64-bit integer');
      return b;
    }
    case 'Decimal':
      if (!/^-?\d{1,20}(\.\d{1,8})?$/.test(text)) throw malformedRequest(field, 'must be a decimal number (at most 20 integer and 8 fraction digits)');
      return new Decimal(text);
    case 'Boolean':
      if (text !== 'true' && text !== 'false') throw malformedRequest(field, 'must be true or false');
      return text === 'true';
    case 'DateTime': {
      const t = Date.parse(text);
      if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(t)) throw malformedRequest(field, 'must be a date in ISO 8601 form (2024-12-31T09:00:00Z)');
      return new Date(t);
    }
  }
}
