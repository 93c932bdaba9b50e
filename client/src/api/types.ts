/**
 * The client API's JSON shapes (seed 004), as the browser sees them. The
 * request shapes and the values and objects on the wire are the server's
 * (src/http/xas-wire.ts, TypeBox schemas the /xas/ dispatcher checks bodies
 * with); imported as types only, so no TypeBox code comes into the bundle.
 */
import type {
  ClientObjectWire,
  FilterWire,
  Guid,
  RetrieveOptionsWire,
  RuntimeOperationRequest,
  WireChanges,
  WireObject,
  WireValue,
} from '../../../src/http/xas-wire';

export type { ClientObjectWire, FilterWire, Guid, RuntimeOperationRequest, WireChanges, WireObject, WireValue };

/** Retrieve options as the client sends them: every field given. */
export type RetrieveOptions = { readonly [K in keyof RetrieveOptionsWire]-?: NonNullable<RetrieveOptionsWire[K]> };

/** A validation failure, in any of the shapes a server may send. */
export interface WireValidation {
  readonly guid?: Guid;
  readonly attribute?: string;
  readonly member?: string;
  readonly message: string;
}

export interface XasResponse {
  readonly actionResult?: { readonly type?: string; readonly value?: unknown } | unknown;
  readonly objects?: readonly WireObject[];
  readonly partialObjects?: readonly WireObject[];
  readonly changes?: WireChanges;
  readonly commits?: readonly Guid[];
  readonly deletes?: readonly Guid[];
  readonly resets?: Record<Guid, unknown>;
  readonly count?: number;
  readonly hasMoreItems?: boolean;
  readonly resultGuids?: readonly Guid[];
  readonly newpersistable?: readonly Guid[];
  readonly validations?: readonly WireValidation[];
  readonly validationErrors?: readonly WireValidation[];
  /**
   * Client instructions of a microflow: `text_message` {type: info|warning|error, message},
   * `open_form` {page, params?: {parameter: guid}} (show page), `close` {} (close page).
   */
  readonly instructions?: readonly {
    readonly type: string;
    readonly args?: { readonly type?: string; readonly message?: string; readonly page?: string; readonly params?: Readonly<Record<string, Guid>> };
  }[];
  readonly [key: string]: unknown;
}
