import { loadModel } from '../../src/model/index.js';
import type { CompiledModel } from '../../src/model/compiled/types.js';
import { writeApp } from '../support/app-folder.js';
import { createLogger } from '../../src/core/logger.js';

export const quietLog = createLogger('silent');

/** Compiles an app with one module `T` whose domain model is the given YAML. */
export async function modelOf(domainYaml: string, version = '1.0.0'): Promise<CompiledModel> {
  const dir = writeApp({
    'app.yaml': `name: T\nversion: ${version}\nmodules: [T]\n`,
    'modules/T/domain-model.yaml': domainYaml,
  });
  const { model, diagnostics } = await loadModel(dir);
  if (!model) throw new Error(`test model has errors:\n${diagnostics.map((d) => `${d.path}: ${d.message}`).join('\n')}`);
  return model;
}

/** Every attribute type, two associations with each delete behaviour, an inheritance chain. */
export const PERSISTENCE_MODEL = `
enumerations:
  Colour: { Red: Red, Green: Green, VeryLongColourName: Long }
entities:
  Everything:
    systemMembers: { createdDate: true, changedDate: true, owner: true, changedBy: true }
    attributes:
      Str: String(200)
      Text: String(unlimited)
      Int: Integer
      Lng: Long
      Dec: Decimal
      Flag: Boolean
      When: DateTime
      Colour: Enumeration(Colour)
      Num: AutoNumber
      Blob: Binary
      Secret: HashedString
      WithDefault: { type: Decimal, default: "12.50" }
    indexes:
      - { attributes: [Str, { attribute: Int, descending: true }] }
  Animal:
    attributes:
      Name: String(100)
  Dog:
    generalization: Animal
    attributes:
      Breed: String(100)
  Puppy:
    generalization: Dog
    attributes:
      AgeInWeeks: Integer
  Owner:
    attributes:
      Name: String(100)
  Tag:
    attributes:
      Label: String(50)
  Invoice:
    attributes:
      Number: String(20)
  Line:
    attributes:
      Amount: Decimal
associations:
  Animal_Owner:
    parent: Animal
    child: Owner
    deleteBehavior: { child: { prevent: "This owner still has animals" } }
  Animal_Tags:
    type: ReferenceSet
    parent: Animal
    child: Tag
  Line_Invoice:
    parent: Line
    child: Invoice
    deleteBehavior: { child: cascade }
`;
