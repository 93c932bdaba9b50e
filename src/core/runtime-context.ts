import type { FastifyInstance } from 'fastify';
import type { CompiledModel } from '../model/compiled/types.js';
import type { Logger } from './logger.js';
import type { ServiceRegistry } from './services.js';
import type { Settings } from './settings.js';

/**
 * What a runtime component sees at start-up. Components fill in the services
 * they provide (the data layer sets `data`, ...) so later ones can use them.
 */
export interface RuntimeContext {
  readonly appDir: string;
  readonly deploymentDir: string;
  readonly model: CompiledModel;
  readonly settings: Settings;
  readonly log: Logger;
  /** Services provided by components, by name, typed by each provider's declaration. */
  readonly services: ServiceRegistry;
}

/**
 * A part of the runtime, in the spirit of a Fastify plugin: it starts (possibly
 * providing services to later components), registers its routes, and stops in
 * reverse order at shut-down.
 */
export interface RuntimeComponent {
  readonly name: string;
  start?(ctx: RuntimeContext): Promise<void>;
  routes?(app: FastifyInstance, ctx: RuntimeContext): Promise<void> | void;
  /** Called once the server listens and every component has started. */
  ready?(ctx: RuntimeContext): Promise<void> | void;
  /**
   * Readiness probe (`/health/ready`): resolves when the component can serve
   * requests right now, throws when it cannot. Should answer within the
   * `ReadinessTimeout` setting; the server treats a slower answer as not ready.
   * An error with a string `reason` names what is missing (default: the component's name).
   */
  readiness?(ctx: RuntimeContext): Promise<void>;
  /**
   * Called when shut-down has waited `ShutdownTimeout` for requests in flight:
   * abandon in-flight work so that none of it completes afterwards (the data
   * layer rolls back open transactions and drops their connections). `stop`
   * follows.
   */
  abort?(ctx: RuntimeContext): Promise<void>;
  stop?(ctx: RuntimeContext): Promise<void>;
}

/** Thrown by a component's `readiness` when it cannot serve; `reason` is what `/health/ready` reports. */
export class NotReadyError extends Error {
  constructor(
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NotReadyError';
  }
}
