import type { LayoutFile, MicroflowFile, NanoflowFile, PageFile, PasswordPolicyDef, NavigationDef, SnippetFile } from '../schema/index.js';
import type { ModelText } from '../text.js';
import type { SourceFile } from '../load/source-file.js';
import type { CRestService } from './rest-services.js';
import type { CMapping } from './mappings.js';
import type { CScheduledEvent } from './scheduled-events.js';
import type { CTaskQueue } from './task-queues.js';
import type { CODataService } from './odata-services.js';

/**
 * The compiled model: what the runtime executes. Built once at start-up from the
 * model files; every name is resolved and qualified, every inherited member
 * flattened, every table and column name decided here so that the data layer,
 * the query engine and the client API agree on them.
 */
export interface CompiledModel {
  readonly app: {
    readonly name: string;
    readonly version: string;
    readonly modules: readonly string[];
    readonly settings: Readonly<Record<string, string | number | boolean>>;
    readonly navigation: NavigationDef;
    /** app.yaml `languages`, the default first; empty = one unnamed language. */
    readonly languages?: readonly string[];
    /** app.yaml `defaultTimeZone`: the IANA zone of users without a System.User_TimeZone. */
    readonly defaultTimeZone?: string;
    /** app.yaml `clientTexts`: overrides of the browser client's own texts, by key. */
    readonly clientTexts?: Readonly<Record<string, ModelText>>;
    /** Microflow run by each instance before it serves (app.yaml `afterStartup`). */
    readonly afterStartup?: string;
    /** Microflow run by each instance at a graceful stop (app.yaml `beforeShutdown`). */
    readonly beforeShutdown?: string;
  };
  readonly security: CSecurity;
  /** By qualified name, `Module.Entity`. Includes the System module. */
  readonly entities: ReadonlyMap<string, CEntity>;
  /** By qualified name, `Module.Association`. */
  readonly associations: ReadonlyMap<string, CAssociation>;
  readonly enumerations: ReadonlyMap<string, CEnumeration>;
  readonly constants: ReadonlyMap<string, CConstant>;
  /** Qualified module roles, `Module.Role`. */
  readonly moduleRoles: ReadonlySet<string>;
  readonly microflows: ReadonlyMap<string, CMicroflow>;
  /** Nanoflows (run in the browser), by qualified name. */
  readonly nanoflows: ReadonlyMap<string, CNanoflow>;
  readonly pages: ReadonlyMap<string, CPage>;
  /** Layouts and snippets by qualified name (absent in models built by hand in tests). */
  readonly layouts?: ReadonlyMap<string, CLayout>;
  readonly snippets?: ReadonlyMap<string, CSnippet>;
  /** Published REST services by qualified name (absent in models built by hand in tests). */
  readonly restServices?: ReadonlyMap<string, CRestService>;
  /** Import and export mappings (modules/<Module>/mappings/), checked against their JSON structures. */
  readonly mappings?: ReadonlyMap<string, CMapping>;
  /** Scheduled events by qualified name (absent in models built by hand in tests). */
  readonly scheduledEvents?: ReadonlyMap<string, CScheduledEvent>;
  /** Task queues by qualified name (absent in models built by hand in tests). */
  readonly taskQueues?: ReadonlyMap<string, CTaskQueue>;
  /** Published OData services by qualified name (absent in models built by hand in tests). */
  readonly odataServices?: ReadonlyMap<string, CODataService>;
  /** The parsed files, for later passes that report locations (expressions, XPath). */
  readonly files: readonly SourceFile[];
}

export type AttributeType = 'String' | 'Integer' | 'Long' | 'Decimal' | 'Boolean' | 'DateTime' | 'Enumeration' | 'AutoNumber' | 'Binary' | 'HashedString';

/** Where a model element was written, for messages that point back at it. */
export interface SourceRef {
  readonly file: SourceFile;
  readonly path: readonly (string | number)[];
}

export interface CAttribute {
  readonly name: string;
  /** `Module.Entity.Attr` with the declaring entity. */
  readonly qualifiedName: string;
  /** Qualified name of the entity that declares it. */
  readonly entity: string;
  readonly type: AttributeType;
  /** String/HashedString: maximum length, 0 = unlimited. Enumeration: longest key. Others 0. */
  readonly length: number;
  /** Qualified enumeration name for Enumeration attributes. */
  readonly enumeration?: string;
  /**
   * Default value as written in the model, normalised: string for String, Enumeration,
   * Decimal (exact text), Long (decimal text); number for Integer; boolean for Boolean;
   * DateTime as an ISO string or the token `[%CurrentDateTime%]`; null = empty.
   */
  readonly defaultValue: string | number | boolean | null;
  /** DateTime only: shown in the user's time zone. */
  readonly localize: boolean;
  /** Column in the declaring entity's table. */
  readonly column: string;
  readonly previousName?: string;
  /** createdDate / changedDate: maintained by the runtime, never writable. */
  readonly system: boolean;
  /**
   * Qualified microflow that computes the value when the object is read (Mendix's calculated
   * attribute): no column (`column` is unused), never writable, not usable in XPath or sorting.
   */
  readonly calculated?: string;
  readonly source?: SourceRef;
}

export type DeleteBehavior = { readonly kind: 'keep' } | { readonly kind: 'cascade' } | { readonly kind: 'prevent'; readonly message: string };

export interface CAssociation {
  readonly name: string;
  readonly module: string;
  readonly shortName: string;
  readonly type: 'Reference' | 'ReferenceSet';
  /** Owner entity (qualified). */
  readonly parent: string;
  /** Referred entity (qualified). */
  readonly child: string;
  readonly owner: 'Default' | 'Both';
  /** What deleting a parent object does with its associated child objects. */
  readonly onDeleteParent: DeleteBehavior;
  /** What deleting a child object does with the parent objects that refer to it. */
  readonly onDeleteChild: DeleteBehavior;
  /**
   * `table`: an association table; `column`: a column on the parent's table
   * (Mendix 10's storage format Column, Reference only).
   */
  readonly storage: 'table' | 'column';
  /**
   * Table storage: the association table `module$association`. Column storage:
   * the parent entity's table, which holds the column.
   */
  readonly table: string;
  /**
   * Table storage: `module$entityid` of the parent (self-associations end in
   * id1 / id2). Column storage: `id`, so that `SELECT child FROM table WHERE
   * parent = ?` reads the same over both (with `child IS NOT NULL`).
   */
  readonly parentColumn: string;
  /** Table storage: `module$entityid` of the child. Column storage: the column `module$association`. */
  readonly childColumn: string;
  readonly previousName?: string;
  readonly source?: SourceRef;
}

export type MemberRight = 'None' | 'Read' | 'ReadWrite';

export interface CAccessRule {
  /** Qualified module roles. */
  readonly roles: readonly string[];
  readonly create: boolean;
  readonly delete: boolean;
  /** Rights per member name: every attribute (including inherited) and every association the entity owns. */
  readonly members: ReadonlyMap<string, MemberRight>;
  /** XPath constraint text, brackets included; undefined = no constraint. */
  readonly xpath?: string;
  readonly source?: SourceRef;
}

export interface CValidationRule {
  readonly attribute: string;
  readonly rule:
    | { readonly kind: 'required' }
    | { readonly kind: 'unique' }
    | { readonly kind: 'range'; readonly min?: string | number; readonly max?: string | number }
    | { readonly kind: 'regex'; readonly pattern: string }
    | { readonly kind: 'maxLength'; readonly length: number };
  /** The message as written: one text, or one per language (validation picks the user's). */
  readonly message: ModelText;
  readonly source?: SourceRef;
}

export interface CEventHandler {
  readonly moment: 'before' | 'after';
  readonly event: 'create' | 'commit' | 'delete' | 'rollback';
  readonly microflow: string;
  readonly raiseErrorOnFalse: boolean;
  readonly passEventObject: boolean;
  /** Entity that declares the handler (handlers are inherited). */
  readonly entity: string;
}

export interface CIndex {
  readonly name: string;
  readonly columns: readonly { readonly attribute: string; readonly column: string; readonly descending: boolean }[];
}

export interface CEntity {
  readonly name: string;
  readonly module: string;
  readonly shortName: string;
  readonly persistable: boolean;
  /** `module$entity` in lower case. */
  readonly table: string;
  readonly generalization?: string;
  /** This entity first, then its generalization, up to the root. */
  readonly chain: readonly string[];
  readonly directSpecializations: readonly string[];
  /** Every entity below this one, transitively. */
  readonly allSpecializations: readonly string[];
  /** True for the root of a hierarchy that has specializations: its table has `submetaobjectname`. */
  readonly hasTypeColumn: boolean;
  /** Attributes declared on this entity (stored in its own table). */
  readonly ownAttributes: readonly CAttribute[];
  /** All attributes by name, inherited included. */
  readonly attributes: ReadonlyMap<string, CAttribute>;
  /** System members, own or inherited. createdDate/changedDate also appear in `attributes`. */
  readonly systemMembers: { readonly createdDate: boolean; readonly changedDate: boolean; readonly owner: boolean; readonly changedBy: boolean };
  /** Own system members (the columns live in this entity's table). */
  readonly ownSystemMembers: { readonly createdDate: boolean; readonly changedDate: boolean; readonly owner: boolean; readonly changedBy: boolean };
  /** Associations where this entity or a generalization is the parent / the child (qualified names). */
  readonly parentOf: readonly string[];
  readonly childOf: readonly string[];
  /**
   * Associations owned by both ends (`owner: Both`) where this entity or a generalization is the
   * child: its objects own them too (a member of the entity, in its access rules, changeable from
   * this side; the value is the parent ids). Self-associations are not listed (one member name
   * cannot hold both directions). Absent in models built by hand = none.
   */
  readonly alsoOwns?: readonly string[];
  /** Own and inherited. */
  readonly validation: readonly CValidationRule[];
  /** Own and inherited. */
  readonly events: readonly CEventHandler[];
  /** Own only: access rules are not inherited. */
  readonly access: readonly CAccessRule[];
  readonly indexes: readonly CIndex[];
  readonly previousName?: string;
  readonly source?: SourceRef;
}

export interface CEnumeration {
  readonly name: string;
  readonly values: readonly {
    readonly key: string;
    readonly caption: string;
    /** Captions per language when the model translates them. */
    readonly captions?: Readonly<Record<string, string>>;
    readonly image?: string;
  }[];
}

export interface CConstant {
  readonly name: string;
  readonly type: 'String' | 'Integer' | 'Long' | 'Decimal' | 'Boolean' | 'DateTime';
  /** The effective value: the default, overridden by app.yaml constants, then by settings. */
  readonly value: string | number | boolean | null;
  readonly exposedToClient: boolean;
}

export interface CUserRole {
  readonly name: string;
  /** Qualified module roles. */
  readonly moduleRoles: readonly string[];
  /** User roles its users may give to and take from other users (System.grantableRoles). */
  readonly grantableRoles: readonly string[];
}

export interface CSecurity {
  readonly level: 'off' | 'prototype' | 'production';
  readonly adminUser:
    | {
        readonly name: string;
        /** The password to use: KILN_ADMIN_PASSWORD when set, else the model's value (its env variable, else its default). */
        readonly password: string;
        readonly role: string;
        /** The password came from the environment: it replaces the stored one at every start. Otherwise it is set only when the administrator is created. */
        readonly fromEnvironment: boolean;
        /** The password written in the model (published with the app): '' when none. */
        readonly modelPassword: string;
      }
    | undefined;
  readonly userRoles: ReadonlyMap<string, CUserRole>;
  readonly anonymousRole?: string;
  readonly passwordPolicy: Required<PasswordPolicyDef>;
  /** `entity`: the specialisation of System.User the demo user is created as (default System.User). */
  readonly demoUsers: readonly { readonly name: string; readonly password: string; readonly roles: readonly string[]; readonly entity?: string }[];
}

export interface CMicroflow {
  readonly name: string;
  readonly module: string;
  readonly shortName: string;
  /** As written; the microflow engine compiles it. */
  readonly def: MicroflowFile;
  /** Qualified module roles allowed to call it from the client. */
  readonly allowedRoles: readonly string[];
  readonly source: SourceRef;
}

export interface CNanoflow {
  readonly name: string;
  readonly module: string;
  readonly shortName: string;
  /** As written; the web client compiles it into a plan for the browser. */
  readonly def: NanoflowFile;
  readonly source: SourceRef;
}

export interface CPage {
  readonly name: string;
  readonly module: string;
  readonly shortName: string;
  readonly def: PageFile;
  readonly allowedRoles: readonly string[];
  readonly source: SourceRef;
  /** The layout it is shown in: its own, else app.yaml's default for full pages; absent = the plain shell. */
  readonly layout?: string;
}

/** A layout or a snippet: widgets in a file of their own, used by pages. */
export interface CLayout {
  readonly name: string;
  readonly module: string;
  readonly def: LayoutFile;
  readonly source: SourceRef;
}
export interface CSnippet {
  readonly name: string;
  readonly module: string;
  readonly def: SnippetFile;
  readonly source: SourceRef;
}
