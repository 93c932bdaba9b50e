/**
 * Runtime operations: the only data actions a browser client can ask for. Each
 * is derived at start-up from a page's data source or button (or a microflow data
 * source), has a stable opaque id, and is allowed for the module roles of the page
 * (or of the microflow it calls). The client only ever sees the id and the
 * parameters it must send.
 */
export type OperationType = 'retrieve' | 'create' | 'commit' | 'rollback' | 'delete' | 'callMicroflow';

/** Parameter types as in real operations.json: `AnyObjectList`, `[Module.Entity]` (a list), `Module.Entity`. */
export type OperationParameters = Readonly<Record<string, readonly string[]>>;

/** Constants as written to operations.json (and shown by the seeds). */
export type OperationConstants = Readonly<Record<string, string | readonly string[]>>;

/** Where in the model the operation is used: a page and the path of the widget inside the page file. */
export interface OperationSite {
  /** Qualified page name, or the microflow for operations not on a page. */
  readonly page: string;
  /** Slash-separated path inside the page file, e.g. `widgets/0/dataGrid/buttons/2`. */
  readonly path: string;
  /** Name of the data widget the operation belongs to (grid, list view, data view), if any. */
  readonly widgetName?: string;
}

export interface SortKey {
  /** Attribute name on the retrieved entity. */
  readonly attribute: string;
  readonly descending: boolean;
}

/** A column or input shown over a reference: `Sales.Order_Customer/Sales.Customer/CompanyName`. */
export interface UsedPath {
  /** Qualified Reference association owned by the retrieved entity. */
  readonly association: string;
  /** Entity at the other end. */
  readonly entity: string;
  /** Attribute name on that entity. */
  readonly attribute: string;
}

interface OperationBase {
  readonly id: string;
  readonly type: OperationType;
  readonly parameters: OperationParameters;
  readonly constants: OperationConstants;
  /** Qualified module roles allowed to execute the operation. */
  readonly allowedRoles: readonly string[];
  /** User role names that grant one of the allowed module roles, each as its own set (the real file's shape). */
  readonly allowedUserRoleSets: readonly (readonly string[])[];
  readonly site: OperationSite;
}

export interface RetrieveOperation extends OperationBase {
  readonly type: 'retrieve';
  readonly entity: string;
  /** The full XPath, `//Module.Entity[...]`. */
  readonly xpath: string;
  /** The constraint part after the entity (brackets included), '' for none. */
  readonly constraint: string;
  readonly sort: readonly SortKey[];
  /** Attribute names of the entity the widget shows, in the order the widget uses them. */
  readonly attributes: readonly string[];
  /** Values shown over references. */
  readonly paths: readonly UsedPath[];
  /** Owned associations the widget shows as they are (a reference-set selector's chosen objects), read and sent with each object. */
  readonly references?: readonly string[];
  /** Attributes the client may search on (extraXpath), beyond the shown ones. */
  readonly searchAttributes: readonly string[];
  readonly pageSize: number;
  /** Data view over a page parameter: the parameter name (the client sends `params: {<name>: {guid}}`). */
  readonly byParameter?: string;
  /**
   * A nanoflow's retrieve: the variables of its XPath, whose values the client sends as
   * `params` (`{guid}` for an object, else the value); the XPath itself is the model's.
   */
  readonly variables?: readonly string[];
}

export interface CreateOperation extends OperationBase {
  readonly type: 'create';
  readonly entity: string;
}

export interface CommitOperation extends OperationBase {
  readonly type: 'commit';
}

export interface RollbackOperation extends OperationBase {
  readonly type: 'rollback';
}

export interface DeleteOperation extends OperationBase {
  readonly type: 'delete';
  readonly entity: string;
}

export interface CallMicroflowOperation extends OperationBase {
  readonly type: 'callMicroflow';
  readonly microflow: string;
}

export type RuntimeOperation = RetrieveOperation | CreateOperation | CommitOperation | RollbackOperation | DeleteOperation | CallMicroflowOperation;

/** One entry of `model/operations.json`, in the shape real Mendix deployments write. */
export interface OperationsFileEntry {
  readonly operationId: string;
  readonly operationType: OperationType;
  readonly parameters: OperationParameters;
  readonly constants: OperationConstants;
  readonly allowedUserRoleSets: readonly (readonly string[])[];
}

export interface OperationRegistry {
  /** Every operation, in model order (pages by name, widgets in file order). */
  readonly operations: readonly RuntimeOperation[];
  get(id: string): RuntimeOperation | undefined;
  /** The data source of a named data widget (grid, list view, data view) on a page. */
  forWidget(pageName: string, widgetName: string): RuntimeOperation | undefined;
  /** A button of a named data widget, by its index in the widget's `buttons`. */
  forButton(pageName: string, widgetName: string, buttonIndex: number): RuntimeOperation | undefined;
  /** Any operation by the slash-separated path of its widget inside the page file. */
  forPath(pageName: string, path: string): RuntimeOperation | undefined;
  /** Every operation used on a page. */
  forPage(pageName: string): readonly RuntimeOperation[];
  /** The first operation calling a microflow (data source or button). */
  forMicroflow(name: string): RuntimeOperation | undefined;
  /** The file contents of `model/operations.json`. */
  toFile(): OperationsFileEntry[];
}
