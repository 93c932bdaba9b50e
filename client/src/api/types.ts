/** The client API's JSON shapes (seed 004), as the browser sees them. */

export type Guid = string;
export type WireValue = string | number | boolean | null | readonly string[];

export interface WireObject {
  readonly objectType: string;
  readonly guid: Guid;
  readonly attributes: Readonly<Record<string, { readonly value?: WireValue; readonly readonly?: boolean }>>;
  /** Signature of a client-held (new or changed) object; sent back unchanged. */
  readonly hash?: string;
}

export type WireChanges = Record<Guid, Record<string, { value: WireValue }>>;

export interface RetrieveOptions {
  readonly offset: number;
  readonly amount: number;
  readonly sort: readonly (readonly [string, 'asc' | 'desc'])[];
  readonly wantCount: boolean;
  readonly extraXpath: string;
}

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
  /** Client instructions of a microflow: `text_message` {type: info|warning|error, message}. */
  readonly instructions?: readonly { readonly type: string; readonly args?: { readonly type?: string; readonly message?: string } }[];
  readonly [key: string]: unknown;
}
