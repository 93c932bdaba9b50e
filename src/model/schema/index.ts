import type { TSchema } from '@sinclair/typebox';
import { AppFile } from './app.js';
import { DomainModelFile } from './domain-model.js';
import { MicroflowFile } from './microflow.js';
import { PageFile } from './page.js';
import { RestServiceFile } from './rest-service.js';
import { JsonStructureFile, MappingFile } from './mapping.js';

/** Every kind of model file and the schema it is validated against. */
export const FILE_KINDS = {
  app: AppFile,
  'domain-model': DomainModelFile,
  microflow: MicroflowFile,
  page: PageFile,
  'rest-service': RestServiceFile,
  'json-structure': JsonStructureFile,
  mapping: MappingFile,
} as const satisfies Record<string, TSchema>;

export type FileKind = keyof typeof FILE_KINDS;

export * from './app.js';
export * from './domain-model.js';
export * from './microflow.js';
export * from './page.js';
export * from './rest-service.js';
export * from './mapping.js';
