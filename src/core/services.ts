/**
 * The services components provide to the components started after them, typed
 * in the way of Fastify's decorators: each component declares what it provides
 * by augmenting `Services` from its own folder, e.g.
 *
 *   declare module '../core/services.js' { interface Services { db: Database } }
 *
 * so the ground floor names no component and every read is typed.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging, one `declare module` per component
export interface Services {}

export type ServiceName = keyof Services & string;

export class ServiceRegistry {
  private readonly map = new Map<string, unknown>();

  set<K extends ServiceName>(name: K, value: Services[K]): void {
    this.map.set(name, value);
  }

  /** The service, or undefined when its component is not part of this runtime. */
  get<K extends ServiceName>(name: K): Services[K] | undefined {
    return this.map.get(name) as Services[K] | undefined;
  }

  /** The service; fails start-up clearly when its component is missing or starts later. */
  require<K extends ServiceName>(name: K): Services[K] {
    const s = this.map.get(name);
    if (s === undefined) throw new Error(`service '${name}' is not available (is its component started before this one?)`);
    return s as Services[K];
  }
}
