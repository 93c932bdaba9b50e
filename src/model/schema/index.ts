import type { TSchema } from '@sinclair/typebox';
import { AppFile } from './app.js';
import { DomainModelFile } from './domain-model.js';
import { MicroflowFile } from './microflow.js';
import { NanoflowFile } from './nanoflow.js';
import { PageFile } from './page.js';
import { RestServiceFile } from './rest-service.js';

/** Every kind of model file and the schema it is validated against. */
export const FILE_KINDS = {
  app: AppFile,
  'domain-model': DomainModelFile,
  microflow: MicroflowFile,
  nanoflow: NanoflowFile,
  page: PageFile,
  'rest-service': RestServiceFile,
} as const satisfies Record<string, TSchema>;

export type FileKind = keyof typeof FILE_KINDS;

export * from './app.js';
export * from './domain-model.js';
export * from './microflow.js';
export * from './nanoflow.js';
export * from './page.js';
export * from './rest-service.js';
