import type { TSchema } from '@sinclair/typebox';
import { AppFile } from './app.js';
import { DomainModelFile } from './domain-model.js';
import { MicroflowFile } from './microflow.js';
import { LayoutFile, PageFile, SnippetFile } from './page.js';
import { ODataServiceFile } from './odata-service.js';
import { NanoflowFile } from './nanoflow.js';
import { RestServiceFile } from './rest-service.js';
import { ScheduledEventFile } from './scheduled-event.js';
import { TaskQueueFile } from './task-queue.js';

/** Every kind of model file and the schema it is validated against. */
export const FILE_KINDS = {
  app: AppFile,
  'domain-model': DomainModelFile,
  microflow: MicroflowFile,
  nanoflow: NanoflowFile,
  page: PageFile,
  layout: LayoutFile,
  snippet: SnippetFile,
  'rest-service': RestServiceFile,
  'scheduled-event': ScheduledEventFile,
  'task-queue': TaskQueueFile,
  'odata-service': ODataServiceFile,
} as const satisfies Record<string, TSchema>;

export type FileKind = keyof typeof FILE_KINDS;

export * from './app.js';
export * from './domain-model.js';
export * from './microflow.js';
export * from './nanoflow.js';
export * from './page.js';
export * from './rest-service.js';
export * from './scheduled-event.js';
export * from './task-queue.js';
export * from './odata-service.js';
