/**
 * Mendix's System tables as a Mendix runtime creates them, with the
 * `mendixsystem$` records it writes for them, on PostgreSQL.
 *
 * Source: the only complete real System schema found (search corpus `code`):
 * a MySQL dump of a Mendix 9.6 database (`mendixsystem$version.mendixversion`
 * 9.6.0.27784): every `system$` table with its columns, types, lengths,
 * indexes and unique constraints, and Mendix's records of them (entity,
 * attribute and association ids, type codes, lengths, defaults, index and
 * sequence rows). The ids below are those of the dump unless marked `made up`.
 * Translated to PostgreSQL with Mendix's type mapping (String n -> VARCHAR(n),
 * unlimited -> TEXT, DateTime -> TIMESTAMP, Boolean -> BOOLEAN, Integer ->
 * INT, Long/AutoNumber -> BIGINT, Binary -> BYTEA). Names longer than
 * PostgreSQL's 63 characters (MySQL allows 64) are cut at 63 in the DDL and
 * the records alike: Mendix's own shortening for PostgreSQL is not in any
 * schema found.
 *
 * Where the Mendix 10 model (the System module's export of a Mendix 10/11
 * project, and the Mendix 10 javasource proxies) differs from 9.6, the
 * table is as Mendix 10 has it, each difference marked `Mendix 10`:
 * User.BlockedSince, Image.EnableCaching, Workflow.CanApplyJumpTo,
 * WorkflowDefinition.IsLocked, WorkflowUserTask.CompletionType and its
 * state values (Created .. Failed, 10 characters), ContextType's value
 * ScheduledEvent (14 characters), the task queue's StartAt, Retry, Finished,
 * Duration and ScheduledEventName, WorkflowUserTask_Assignees (a set; 9.6 had
 * WorkflowUserTask_Assignee). Tables of Mendix 9.6 that Mendix 10 replaced
 * (WorkflowActivity, WorkflowSystemTask) are left out; the runtime-internal
 * ones still there (WorkflowVersion, OfflineCreatedGuids, WorkflowDefinition's
 * ModelGUID, Workflow's PreviousState) are in.
 *
 * Associations are in association tables, as this schema (and Mendix 10
 * databases created before 10.? converted nothing of the System module)
 * has them; the association records leave `storage_format` empty.
 */

type Col = readonly [attribute: string, id: string, code: number, length: number, defaultValue: string];
interface Ent {
  readonly name: string;
  readonly id: string;
  readonly table: string;
  readonly superId?: string;
  readonly cols: readonly Col[];
  /** Association record ids of System.owner / System.changedBy, when the entity has them. */
  readonly owner?: string;
  readonly changedBy?: string;
  readonly createdDate?: string;
  readonly changedDate?: string;
  /** The id of its submetaobjectname attribute (entities that may be specialized). */
  readonly submeta?: string;
  /** [index id, name, ids of the attributes (or owner/changedBy associations) it covers]. */
  readonly indexes?: readonly (readonly [string, string, readonly string[]])[];
  readonly uniques?: readonly (readonly [string, string])[];
}
interface Assoc {
  readonly name: string;
  readonly id: string;
  readonly table: string;
  readonly parent: string;
  readonly child: string;
  readonly parentColumn: string;
  readonly childColumn: string;
  readonly index: string;
  /** [name, column it is on, id Mendix gave it]. */
  readonly uniques?: readonly (readonly [string, 'parent' | 'child', string])[];
  /** Foreign keys on both columns (ON DELETE CASCADE), as later Mendix 10 versions create them. */
  readonly foreignKeys?: true;
}

const USER = '282e2e60-88a5-469d-84a5-ba8d9151644f';
const USER_ROLE = '92ef30a6-de04-423c-84fd-a21e9b9eeae2';
const LANGUAGE = '76805df3-dede-435f-92a6-d6525c68a693';
const TIME_ZONE = '7f7c72af-1ab7-4bf9-bed6-16db5c8fcf6f';
const SESSION = '37f9fd49-5318-4c63-9a51-f761779b202f';
const XAS = 'd4154981-8dac-4150-aec5-efa3ef62a7a2';
const FILE = '170ce49d-f29c-4fac-99a6-b55e8a3aeb39';
const IMAGE = '37827192-315d-4ab6-85b8-f626f866ea76';
const THUMBNAIL = '4babd4c0-b903-4cb4-b1af-e59c4a5fcf3d';
const SYNC_ERROR = 'f9818ad8-3214-4b1d-b837-3181863f5ed5';
const SYNC_FILE = '9b26443c-f4bb-4252-aa62-9eaffb71c4db';
const EVENT = '685df5a6-1e02-49bb-a0b5-5a55c5e8313d';
const TOKEN = '09b2f0fe-4a11-4afc-a16e-94992a3ebc3d';
const REPORT = '1c90a770-98ef-45df-9267-b87973cc6581';
const UNREFERENCED = '4e336d7d-71e8-41f4-9f07-8f0646543e81';
const QUEUED = 'c6c131c8-8779-4213-9b26-a64e141f26a8';
const PROCESSED = 'eb5c32a1-85ec-49d1-8bca-ecca779cd539';
const JOB = '660db38b-5ab4-4d15-b649-93a947ecea82';
const WORKFLOW = '2ae37bf5-ecb8-4c55-b967-d7383925b208';
const WF_DEFINITION = '5c570d3b-7b31-44fe-abd6-269a234584c5';
const WF_TASK = '3729d27c-735b-457a-b210-9dffb125c3f3';
const WF_TASK_DEFINITION = 'e09e866f-288b-475c-9465-792cde8b878c';
const WF_VERSION = '30834a21-e81c-4cbf-a10b-5f60f5fddc82';

const S = 30;
const DT = 20;
const B = 10;
const I = 3;
const L = 4;
const E = 40;
const AUTO = 0;

/** Queued and processed tasks share these (ids: queued, processed). */
const task = (ids: Record<string, readonly [string, string]>, which: 0 | 1): Col[] => [
  ['Status', ids.Status![which], E, 12, which === 0 ? 'Idle' : ''],
  ['QueueId', ids.QueueId![which], S, 36, ''],
  ['QueueName', ids.QueueName![which], S, 200, ''],
  // Mendix 10: ContextType gained ScheduledEvent (14 characters; 9.6: 9).
  ['ContextType', ids.ContextType![which], E, 14, ''],
  ['ContextData', ids.ContextData![which], S, 0, ''],
  ['MicroflowName', ids.MicroflowName![which], S, 200, ''],
  ['UserActionName', ids.UserActionName![which], S, 200, ''],
  ['Arguments', ids.Arguments![which], S, 0, ''],
  ['XASId', ids.XASId![which], S, 50, ''],
  ['ThreadId', ids.ThreadId![which], L, 0, ''],
  ['Created', ids.Created![which], DT, 0, ''],
  ['Started', ids.Started![which], DT, 0, ''],
  ['Retried', ids.Retried![which], L, 0, which === 0 ? '0' : ''],
  // Mendix 10 (made up ids).
  ['StartAt', ids.StartAt![which], DT, 0, ''],
];
const TASK_IDS: Record<string, readonly [string, string]> = {
  Status: ['2223cc2b-6f68-4964-90c4-46ceed8c2f62', '6609f51d-d19f-49df-92d8-582e78e55ba0'],
  QueueId: ['77f66f6e-3794-4338-8a7d-eb4538dcd6db', '6c8ea01f-faf8-40dd-8b81-297fbe14cda4'],
  QueueName: ['3898cc5e-0a5c-402a-8f4b-ffa2271fe5b5', '354f1eb1-13a0-4bc4-8fdf-0faad10e2b81'],
  ContextType: ['d6288735-aea7-416a-91d2-1735aa7c0ea3', '8e8e6dfa-87a2-413a-89c1-a2b23037b792'],
  ContextData: ['6534293a-7a10-451c-8b3d-a689d3a281f3', '7cbcf835-1193-4d91-84f5-40bde9ddb9e4'],
  MicroflowName: ['8b835017-7d42-401f-8271-02c232066d49', '2fc91d80-70d3-4868-9332-142b1f447888'],
  UserActionName: ['b38b8b74-2e97-47aa-96c6-3a14ecef522c', 'c891eb17-76d6-4600-a96f-b02ef10aa921'],
  Arguments: ['b47c6adc-1d13-4f3b-8172-0ace129df25f', 'e6f7a526-84ed-4f4e-8d32-d49d79dd5174'],
  XASId: ['0918f273-80a5-42d6-ae35-a7a50ab61210', 'e7792091-da19-4946-a07d-b11f857c4d1d'],
  ThreadId: ['df70e053-7126-4c45-a76b-22c2814babf8', '09951e9a-b362-499d-bf7c-68300a314110'],
  Created: ['94e618c6-5158-44c1-baf6-ef6af8a76b6d', '6c24f3a3-6473-4a2b-8a93-fca27764f394'],
  Started: ['3aadbd20-595c-4fdf-84e1-2b65639f8d4b', '3023edea-95d3-4a8b-84e4-2881fdee53c6'],
  Retried: ['6bd4228f-341d-45b4-a411-765b024ccdfa', '7627493b-b7d4-4afa-99e7-5957889ed081'],
  StartAt: ['00000000-0000-4000-8000-00000000a001', '00000000-0000-4000-8000-00000000a002'],
};

const MENDIX_SYSTEM_ENTITIES: readonly Ent[] = [
  {
    name: 'System.User',
    id: USER,
    table: 'system$user',
    cols: [
      ['Name', '69acb4a2-be26-4cc5-902a-a8591d357510', S, 100, ''],
      ['Password', 'ef366bc1-ac94-4fd6-bafd-7cee2be459e6', S, 200, ''],
      ['LastLogin', '040db5be-7810-48b3-a569-516191e8803d', DT, 0, ''],
      ['Blocked', 'd149bcc3-5e80-46da-ac3f-ee734a64cce1', B, 0, 'false'],
      // Mendix 10 (made up id).
      ['BlockedSince', '00000000-0000-4000-8000-00000000a003', DT, 0, ''],
      ['Active', 'b22d0982-fbee-43a7-8d20-c200d319a3e5', B, 0, 'true'],
      ['FailedLogins', '84845531-dbd9-4e00-8afb-c2adc08699bb', I, 0, '0'],
      ['WebServiceUser', '15e3e13d-2df6-4d8a-a1cc-58eea4cec602', B, 0, 'false'],
      ['IsAnonymous', '28d526e0-915b-466f-80c8-56af32ece225', B, 0, 'false'],
    ],
    createdDate: '9c09d4eb-9c9c-303e-951e-8c3ea32db37a',
    changedDate: 'e9446b4c-b0f6-3f04-8b0a-264d2384b449',
    submeta: 'c2dd7e10-28b4-304c-9ddf-104be6be9cde',
    owner: '07738295-23fe-3fc1-832b-ed18b22727f0',
    changedBy: '6013226d-aeae-3cd2-acec-d95d8bd5c3ad',
    indexes: [
      ['5711e9d5-7b67-4579-b730-2ed0b852b799', 'idx_system$user_name_asc', ['69acb4a2-be26-4cc5-902a-a8591d357510']],
      ['d45d41fb-40ec-3b91-becf-455eb7f35bff', 'idx_system$user_submetaobjectname_asc', ['c2dd7e10-28b4-304c-9ddf-104be6be9cde']],
      ['291e0cde-0e23-351e-8001-6240437d1e0e', 'idx_system$user_system$changedby', ['6013226d-aeae-3cd2-acec-d95d8bd5c3ad']],
      ['3515901d-e8f5-3173-87bb-11ae532c243e', 'idx_system$user_system$owner', ['07738295-23fe-3fc1-832b-ed18b22727f0']],
    ],
    uniques: [['uniq_system$user_name', '69acb4a2-be26-4cc5-902a-a8591d357510']],
  },
  {
    name: 'System.UserRole',
    id: USER_ROLE,
    table: 'system$userrole',
    cols: [
      ['ModelGUID', '3cb7dc95-eac8-4999-8af4-492a4f2c0d73', S, 36, ''],
      ['Name', '3a3aca86-2f34-4038-a62f-7c0654ce21b7', S, 100, ''],
      ['Description', 'a33fbc53-ecf5-46c5-bad2-a364686e19dc', S, 1000, ''],
    ],
    indexes: [['a46808f5-f89a-41eb-81e2-217968eac118', 'idx_system$userrole_name_asc', ['3a3aca86-2f34-4038-a62f-7c0654ce21b7']]],
  },
  {
    name: 'System.Language',
    id: LANGUAGE,
    table: 'system$language',
    cols: [
      ['Code', '88390044-5b74-4e71-8b88-a6e4e91f6f2e', S, 20, ''],
      ['Description', 'd879cb38-5630-4fdf-9e39-f03da0aa8ede', S, 200, ''],
    ],
  },
  {
    name: 'System.TimeZone',
    id: TIME_ZONE,
    table: 'system$timezone',
    cols: [
      ['Code', '6abafab4-6a96-46c0-9475-b72cc4d3ffd6', S, 50, ''],
      ['Description', '954c43f0-3333-4264-813b-e8f1c8f2f0b6', S, 100, ''],
      ['RawOffset', '1060f919-60c9-4f90-91ee-81b4bf584bcd', I, 0, ''],
    ],
  },
  {
    name: 'System.Session',
    id: SESSION,
    table: 'system$session',
    cols: [
      ['SessionId', 'd50c78a5-d740-4a76-a356-47659cfd515e', S, 50, ''],
      ['CSRFToken', 'f4d19200-071c-45e5-af25-321354f0702b', S, 36, ''],
      ['LastActive', '1ffdcb00-e7a4-4303-8b40-2319d9ba01b7', DT, 0, ''],
      ['LongLived', '875dc581-177c-457a-8406-814676ccdb05', B, 0, 'false'],
      ['ReadOnlyHashKey', 'f1949c9c-7b28-11e6-8b77-86f30ca893d3', S, 36, ''],
      ['LastActionExecution', '8b42eee4-92e5-4472-9f12-3a4e73291f2b', DT, 0, ''],
    ],
    createdDate: '0c2b42ef-02bd-3783-bf55-02a92f4275c7',
    indexes: [['6127a5ae-0a96-4df5-9856-17baf94b2351', 'idx_system$session_sessionid_asc', ['d50c78a5-d740-4a76-a356-47659cfd515e']]],
  },
  {
    name: 'System.XASInstance',
    id: XAS,
    table: 'system$xasinstance',
    cols: [
      ['XASId', '91b58eb9-c16c-4e33-b66b-28489e7fb783', S, 50, ''],
      ['LastUpdate', '0c4060ab-4901-419c-a184-81f20fa0460e', DT, 0, ''],
      ['AllowedNumberOfConcurrentUsers', '2dbe88f5-2b15-4ec3-b295-2e2b496a1ebd', I, 0, ''],
      ['PartnerName', '4359850e-675d-49db-a25c-d78ee530dc33', S, 200, ''],
      ['CustomerName', '7ca1bcd3-9355-472f-9e3f-4440366297d6', S, 200, ''],
    ],
    createdDate: '65b02632-d981-3a1c-8ec5-2a36fe6fd7d8',
  },
  {
    name: 'System.FileDocument',
    id: FILE,
    table: 'system$filedocument',
    cols: [
      ['FileID', '0f81688b-e719-4204-8f86-8fcd664a0992', AUTO, 0, '1'],
      ['Name', '3501ab9f-42c7-46e4-ac8f-c51e256c934e', S, 400, ''],
      ['DeleteAfterDownload', '5fecca4d-0f28-484d-9fe7-1afde250b07d', B, 0, 'false'],
      ['Contents', 'e6dfb82a-54fe-4fcd-a513-a086f508c2db', 50, 0, ''],
      ['HasContents', '4c9627fb-3b64-4239-95eb-f51fb8d3f2b3', B, 0, 'false'],
      ['Size', '14018140-78df-4e36-9869-d0b53129d2c9', L, 0, '-1'],
      ['__FileName__', 'a02027b1-e24d-49fc-9b3f-ade644070879', L, 0, '0'],
      ['__UUID__', '96445370-6fed-11e4-9803-0800200c9a66', S, 36, ''],
    ],
    createdDate: '8655b482-0ac3-31db-8289-b05f505b77cb',
    changedDate: '245def96-0172-3d83-96fe-0ee1ba825f26',
    submeta: 'b51ea62a-1838-3f74-9c5f-07b5b5a92a45',
    owner: '1442c9da-d4ae-3cf5-b3c0-6c878743e4e5',
    changedBy: '956c1382-b9fc-3367-b0b2-cb67ee9ef13f',
    indexes: [
      ['6ceea2cb-6acf-457a-852f-eb7deab79430', 'idx_system$filedocument_fileid_asc', ['0f81688b-e719-4204-8f86-8fcd664a0992']],
      ['59de2f9e-3e30-4dd7-a5de-58594a63ea2b', 'idx_system$filedocument_size_asc', ['14018140-78df-4e36-9869-d0b53129d2c9']],
      ['17f7461b-5b7c-494d-8fde-b531299c42b0', 'idx_system$filedocument___uuid___asc', ['96445370-6fed-11e4-9803-0800200c9a66']],
      ['dfd88a6e-a3b6-3080-b6cc-d5c61334281d', 'idx_system$filedocument_submetaobjectname_asc', ['b51ea62a-1838-3f74-9c5f-07b5b5a92a45']],
      ['a5c117d9-85fc-365e-9a66-909509269987', 'idx_system$filedocument_system$owner', ['1442c9da-d4ae-3cf5-b3c0-6c878743e4e5']],
      ['a1966801-fcea-3251-82e4-bf4178bdc504', 'idx_system$filedocument_system$changedby', ['956c1382-b9fc-3367-b0b2-cb67ee9ef13f']],
    ],
  },
  {
    name: 'System.Image',
    id: IMAGE,
    table: 'system$image',
    superId: FILE,
    cols: [
      ['PublicThumbnailPath', '41c141fa-700b-44de-870d-1aa971e11689', S, 500, ''],
      // Mendix 10 (made up id).
      ['EnableCaching', '00000000-0000-4000-8000-00000000a004', B, 0, 'true'],
    ],
  },
  { name: 'System.Thumbnail', id: THUMBNAIL, table: 'system$thumbnail', superId: FILE, cols: [] },
  { name: 'System.PrivateFileDocument', id: '3b6f5ca3-28d6-4581-b26e-7ce5bd0e6eeb', table: 'system$privatefiledocument', superId: FILE, cols: [] },
  { name: 'System.SynchronizationErrorFile', id: SYNC_FILE, table: 'system$synchronizationerrorfile', superId: FILE, cols: [] },
  {
    name: 'System.SynchronizationError',
    id: SYNC_ERROR,
    table: 'system$synchronizationerror',
    cols: [
      ['Reason', '2f76e5ca-ccbe-4137-856b-1999a51431f2', S, 0, ''],
      ['ObjectId', '7e215c6c-0cfd-4533-8529-23e4f5359b7a', S, 200, ''],
      ['ObjectType', 'b1684d75-8427-4ed6-be7a-3f4d4e59d61e', S, 1000, ''],
      ['ObjectContent', '29d27bde-bc08-4f80-9d6c-9f47a3209452', S, 0, ''],
    ],
    createdDate: 'a3e1c07d-2b2b-3e20-bbf0-de44e27d29f4',
    owner: 'b822057e-d9ee-3cd6-8535-6bc9268cb842',
    indexes: [['02390f36-727f-3e8e-8698-51de6cbd7dd0', 'idx_system$synchronizationerror_system$owner', ['b822057e-d9ee-3cd6-8535-6bc9268cb842']]],
  },
  {
    name: 'System.ScheduledEventInformation',
    id: EVENT,
    table: 'system$scheduledeventinformation',
    cols: [
      ['Name', '8b7184a0-cd05-4c75-89f9-be6e9349783b', S, 200, ''],
      ['Description', '26ccae8a-22b1-4899-87c9-c5b4915dbf28', S, 0, ''],
      ['StartTime', '651e7007-7fcd-43b3-a918-a0de81de34bf', DT, 0, ''],
      ['EndTime', '33adad79-f658-4e69-8c58-e003fb3c78be', DT, 0, ''],
      ['Status', '6d2a7545-4e52-4c5d-ac02-0b8211d0585f', E, 9, ''],
    ],
  },
  {
    name: 'System.TokenInformation',
    id: TOKEN,
    table: 'system$tokeninformation',
    cols: [
      ['Token', 'a169a8d1-b10f-427b-b492-3aebeabb7cd6', S, 200, ''],
      ['ExpiryDate', '8bb77a0c-2dea-4860-9c7b-f236aaf5a790', DT, 0, ''],
      ['UserAgent', '0b9398e4-9bb7-4ab8-958c-43526f2c83bf', S, 0, ''],
    ],
  },
  {
    name: 'System.UserReportInfo',
    id: REPORT,
    table: 'system$userreportinfo',
    cols: [
      ['UserType', 'd6f4a7fc-3c2d-4793-bfc0-8dde42937863', E, 8, 'Internal'],
      ['Hash', 'e959c75a-c655-45d8-8b7d-a4335dcbf581', S, 64, ''],
    ],
  },
  {
    name: 'System.UnreferencedFile',
    id: UNREFERENCED,
    table: 'system$unreferencedfile',
    cols: [
      ['FileKey', 'a7934e8b-3623-45c7-abf4-e8a1d93770a2', S, 36, ''],
      ['State', 'a7bd62b4-180e-4f89-8767-4df1817e5419', E, 8, 'New'],
      ['TransactionId', '752e783a-9db4-4825-a87c-7e143366bd85', S, 36, ''],
    ],
    createdDate: 'cbd2b083-ad9a-3c24-8d5e-01e8c3994cad',
  },
  {
    name: 'System.QueuedTask',
    id: QUEUED,
    table: 'system$queuedtask',
    cols: [
      ['Sequence', 'd26c3f20-7dc5-4a65-bbf6-c84ec5b5fe9f', AUTO, 0, '1'],
      ...task(TASK_IDS, 0),
      // Mendix 10 (made up id).
      ['Retry', '00000000-0000-4000-8000-00000000a005', S, 200, ''],
      ['ScheduledEventName', '00000000-0000-4000-8000-00000000a006', S, 200, ''],
    ],
    owner: 'f6de554a-f765-3d80-aa59-2b3da4167137',
    indexes: [['8de203bb-c0c1-349b-8aef-037cdb0cd348', 'idx_system$queuedtask_system$owner', ['f6de554a-f765-3d80-aa59-2b3da4167137']]],
  },
  {
    name: 'System.ProcessedQueueTask',
    id: PROCESSED,
    table: 'system$processedqueuetask',
    cols: [
      ['Sequence', 'a1c19d5b-0798-452a-b8d9-4f60e684cc1b', L, 0, ''],
      ...task(TASK_IDS, 1),
      ['ErrorMessage', '73d41075-6c63-4c64-92e3-ce264ddabe59', S, 0, ''],
      // Mendix 10 (made up ids).
      ['Finished', '00000000-0000-4000-8000-00000000a007', DT, 0, ''],
      ['Duration', '00000000-0000-4000-8000-00000000a008', L, 0, ''],
      ['ScheduledEventName', '00000000-0000-4000-8000-00000000a009', S, 200, ''],
    ],
    owner: '2a2739dd-9160-3616-8999-a7a147bf4cda',
    indexes: [['a28ff41f-1610-3353-9957-9e8d776b805e', 'idx_system$processedqueuetask_system$owner', ['2a2739dd-9160-3616-8999-a7a147bf4cda']]],
  },
  {
    name: 'System.AutoCommitEntry',
    id: '67c28960-7a7a-11e6-bdf4-0800200c9a66',
    table: 'system$autocommitentry',
    cols: [
      ['SessionId', '67c28961-7a7a-11e6-bdf4-0800200c9a66', S, 36, ''],
      ['ObjectId', '67c28962-7a7a-11e6-bdf4-0800200c9a66', L, 0, '0'],
    ],
    createdDate: 'bbe9c632-f0be-31a1-a709-ab0d57c79c84',
    indexes: [
      [
        '67c28963-7a7a-11e6-bdf4-0800200c9a66',
        'idx_system$autocommitentry_sessionid_asc_objectid_asc',
        ['67c28961-7a7a-11e6-bdf4-0800200c9a66', '67c28962-7a7a-11e6-bdf4-0800200c9a66'],
      ],
    ],
  },
  {
    name: 'System.BackgroundJob',
    id: JOB,
    table: 'system$backgroundjob',
    cols: [
      ['JobId', '97bcc327-4d2b-4a28-a57a-7e7437416bfe', L, 0, '0'],
      ['StartTime', 'd5aa1ceb-6dfe-457b-afb7-e969a814eafd', DT, 0, ''],
      ['EndTime', '9c471b02-f266-4e27-9e2f-907d0fad6552', DT, 0, ''],
      ['Result', 'c33867e7-7263-4ce6-826a-714e7493f07a', S, 0, ''],
      ['Successful', 'c56553ba-a3d4-4d9e-bc81-e61ee64da79b', B, 0, 'false'],
    ],
    indexes: [['a5ff48ca-56d6-4f43-8e3a-7743fd025974', 'idx_system$backgroundjob_jobid_asc', ['97bcc327-4d2b-4a28-a57a-7e7437416bfe']]],
  },
  {
    name: 'System.Workflow',
    id: WORKFLOW,
    table: 'system$workflow',
    cols: [
      ['Name', '77cf3524-fcfe-40cf-8ac0-b073015550ef', S, 200, ''],
      ['Description', '8a6b4eb4-9b10-4060-a823-79dd4c19c217', S, 0, ''],
      ['StartTime', 'c627be00-3ea1-4890-9621-d3dad9f11c21', DT, 0, ''],
      ['EndTime', '59f6ed7a-8e1a-46c5-a288-c60cdd1baf50', DT, 0, ''],
      ['DueDate', '80796d39-0dde-4af7-b619-53ec9950014b', DT, 0, ''],
      ['CanBeRestarted', '49d88092-1ce9-46e5-baad-b6c22831824d', B, 0, 'false'],
      ['CanBeContinued', 'dec2408c-8fea-4232-8208-cad1117ca406', B, 0, 'false'],
      // Mendix 10 (made up id); State's default is InProgress in Mendix 10 (9.6: Paused).
      ['CanApplyJumpTo', '00000000-0000-4000-8000-00000000a00a', B, 0, 'true'],
      ['State', 'ec48ea64-d4ae-42dd-8fbe-6c3716181dc7', E, 12, 'InProgress'],
      ['Reason', '89e83bbd-6379-4601-89b4-825c02c7de6b', S, 0, ''],
      // The runtime's own, not in the model.
      ['PreviousState', '4c70166c-8ebb-4105-a35a-d1e15a82d925', E, 12, ''],
    ],
    owner: '2cf6fdd7-e448-3a4d-b70e-6d875c2136d7',
    indexes: [['ac892dd9-fb9e-3590-aaf5-e3e2c7fbc021', 'idx_system$workflow_system$owner', ['2cf6fdd7-e448-3a4d-b70e-6d875c2136d7']]],
  },
  {
    name: 'System.WorkflowDefinition',
    id: WF_DEFINITION,
    table: 'system$workflowdefinition',
    cols: [
      ['Name', 'd16c4272-c9d3-4371-86f6-69eb263033e1', S, 200, ''],
      ['Title', 'e023e8ca-3319-4698-a841-30430fdca099', S, 200, ''],
      ['IsObsolete', '8554021f-9842-4c51-b124-86a102d33da7', B, 0, 'false'],
      // Mendix 10 (made up id).
      ['IsLocked', '00000000-0000-4000-8000-00000000a00b', B, 0, 'false'],
      // The runtime's own, not in the model.
      ['ModelGUID', 'd61ef304-2773-4336-a146-8997dfccae8a', S, 36, ''],
    ],
    uniques: [['uniq_system$workflowdefinition_modelguid', 'd61ef304-2773-4336-a146-8997dfccae8a']],
  },
  {
    name: 'System.WorkflowUserTask',
    id: WF_TASK,
    table: 'system$workflowusertask',
    cols: [
      ['Name', '122c4e1e-edda-4311-85b7-2a715626b869', S, 0, ''],
      ['Description', '544b4b9a-c5ac-4785-8efb-647a51648024', S, 0, ''],
      ['StartTime', 'beeda34a-8cd1-4bbe-abd3-b18a3a0ea0ef', DT, 0, ''],
      ['DueDate', '17ae7bb0-2dea-4860-9c7b-f236aaf5a790', DT, 0, ''],
      ['EndTime', '49503f62-1887-4823-bf94-db88a332f316', DT, 0, ''],
      ['Outcome', '047e7010-cbc4-4bba-bf64-774fa656d010', S, 200, ''],
      // Mendix 10: Created .. Failed, default Created (9.6: 11 characters, default Initialized); CompletionType (made up id).
      ['State', 'f87a5a98-730e-4c57-b6c4-ae09cd057e65', E, 10, 'Created'],
      ['CompletionType', '00000000-0000-4000-8000-00000000a00c', E, 9, 'Single'],
    ],
  },
  {
    name: 'System.WorkflowUserTaskDefinition',
    id: WF_TASK_DEFINITION,
    table: 'system$workflowusertaskdefinition',
    cols: [
      ['Name', '895f51f8-ff84-4694-aa65-1ba19eaeca5e', S, 200, ''],
      ['IsObsolete', 'a6f93dd6-2725-4746-8283-c5c1e1f16d3f', B, 0, 'false'],
      ['ModelGUID', '015434e4-2727-4ee8-aef4-49d17b16afb1', S, 36, ''],
    ],
  },
  // The runtime's own entities, not in the model.
  {
    name: 'System.WorkflowVersion',
    id: WF_VERSION,
    table: 'system$workflowversion',
    cols: [
      ['VersionHash', 'ee842048-ff1d-4ea4-80b3-2d1123437d5f', S, 200, ''],
      ['ModelJSON', '2c5449d3-09f4-463f-8a99-439c6cb74fed', S, 0, ''],
    ],
  },
  {
    name: 'System.OfflineCreatedGuids',
    id: '89cea6a8-a2df-4925-85e4-2b0c447e98c3',
    table: 'system$offlinecreatedguids',
    cols: [['Guid', '7919a281-0b72-4dc4-87e1-fffaced4c8d1', S, 200, '']],
    createdDate: '22289399-6f82-3eda-bbdf-15ddacf9f408',
    uniques: [['uniq_system$offlinecreatedguids_guid', '7919a281-0b72-4dc4-87e1-fffaced4c8d1']],
  },
];

const assoc = (name: string, id: string, parent: string, child: string, pc: string, cc: string, index: string, uniques: Assoc['uniques'] = []): Assoc => ({
  name: `System.${name}`,
  id,
  table: `system$${name.toLowerCase()}`,
  parent,
  child,
  parentColumn: pc,
  childColumn: cc,
  index,
  uniques,
});

const MENDIX_SYSTEM_ASSOCIATIONS: readonly Assoc[] = [
  fk(
    'UserRoles',
    '6adaf137-4299-435e-9475-a871a4f21471',
    USER,
    USER_ROLE,
    'system$userid',
    'system$userroleid',
    'idx_system$userroles_system$userrole_system$user',
  ),
  assoc(
    'grantableRoles',
    '1adca745-c7a9-44ff-92bb-5d41cb2a1743',
    USER_ROLE,
    USER_ROLE,
    'system$userroleid1',
    'system$userroleid2',
    'idx_system$grantableroles_system$userrole_system$userrole',
  ),
  assoc(
    'User_Language',
    '00640985-3c73-4b15-9705-d4ec3ff58e6b',
    USER,
    LANGUAGE,
    'system$userid',
    'system$languageid',
    'idx_system$user_language_system$language_system$user',
    [['uniq_system$user_language_system$userid', 'parent', '37d87db4-942f-301e-b1d7-ca1c940655fa']],
  ),
  assoc(
    'User_TimeZone',
    'bab4a1ab-7d40-47d5-8f21-fc99d089211d',
    USER,
    TIME_ZONE,
    'system$userid',
    'system$timezoneid',
    'idx_system$user_timezone_system$timezone_system$user',
    [['uniq_system$user_timezone_system$userid', 'parent', '61482ff9-64e6-366d-9055-524387b93b37']],
  ),
  fk(
    'Session_User',
    '546aaff5-62e1-40ce-ab45-d40d0a0478f1',
    SESSION,
    USER,
    'system$sessionid',
    'system$userid',
    'idx_system$session_user_system$user_system$session',
    [['uniq_system$session_user_system$sessionid', 'parent', '142c3a11-004d-3f79-916b-d0347144970b']],
  ),
  assoc(
    'TokenInformation_User',
    '20ca86b2-5a00-4131-aee1-427cb2e94425',
    TOKEN,
    USER,
    'system$tokeninformationid',
    'system$userid',
    'idx_system$tokeninformation_user',
    [['uniq_system$tokeninformation_user_system$tokeninformationid', 'parent', '4abdbc47-924f-3c57-9257-190d5521d13e']],
  ),
  assoc(
    'UserReportInfo_User',
    'd88b344c-b1e5-4759-b60e-0348e63ac445',
    REPORT,
    USER,
    'system$userreportinfoid',
    'system$userid',
    'idx_system$userreportinfo_user_system$user_system$userreportinfo',
    [['uniq_system$userreportinfo_user_system$userreportinfoid', 'parent', '677bda5e-706d-3d41-b007-247640ca3be1']],
  ),
  assoc(
    'Thumbnail_Image',
    '3dbea779-c8af-467e-a957-140c313ac1b7',
    THUMBNAIL,
    IMAGE,
    'system$thumbnailid',
    'system$imageid',
    'idx_system$thumbnail_image_system$image_system$thumbnail',
    [
      ['uniq_system$thumbnail_image_system$imageid', 'child', '580b34f8-f2b7-3c00-a872-d0e0b53778ef'],
      ['uniq_system$thumbnail_image_system$thumbnailid', 'parent', '9c4f4f6d-6094-3a1b-a97c-09277561b351'],
    ],
  ),
  assoc(
    'SynchronizationErrorFile_SynchronizationError',
    '6440aa38-83ff-4ba6-8c85-5ff785956b09',
    SYNC_FILE,
    SYNC_ERROR,
    'system$synchronizationerrorfileid',
    'system$synchronizationerrorid',
    'idx_system$synchronizationerrorfile_synchronizationerror',
    [['uniq_syst$synchronizatione_synchronizati_syste$synchronizationer', 'parent', '1e2455b8-3c89-380e-983f-14ead6e94b4c']],
  ),
  assoc(
    'ScheduledEventInformation_XASInstance',
    '7b8a18de-fe6d-4735-9841-0d9d4760697e',
    EVENT,
    XAS,
    'system$scheduledeventinformationid',
    'system$xasinstanceid',
    'idx_system$scheduledeventinformation_xasinstance',
    [['uniq_syste$scheduledeventinfo_xasinsta_syste$scheduledeventinfor', 'parent', 'b1eb1dd4-9f4c-3dae-9cde-9a7df66af36c']],
  ),
  assoc(
    'UnreferencedFile_XASInstance',
    '1cbb5da6-dbb6-447a-8ea2-b193035320c7',
    UNREFERENCED,
    XAS,
    'system$unreferencedfileid',
    'system$xasinstanceid',
    'idx_system$unreferencedfile_xasinstance',
    [['uniq_system$unreferencedfil_xasinstance_system$unreferencedfilei', 'parent', 'dd0763aa-e3a9-35bd-98ce-4d39d939ad40']],
  ),
  assoc(
    'BackgroundJob_Session',
    '19892a2b-f17a-4c29-80c1-c81f8025b36c',
    JOB,
    SESSION,
    'system$backgroundjobid',
    'system$sessionid',
    'idx_system$backgroundjob_session',
    [['uniq_system$backgroundjob_session_system$backgroundjobid', 'parent', '60770e0f-201c-3f24-8a1e-d8b42a715ddb']],
  ),
  assoc(
    'BackgroundJob_XASInstance',
    'fc3944c4-7a19-4a4d-9b0d-4a0c9d7aeb23',
    JOB,
    XAS,
    'system$backgroundjobid',
    'system$xasinstanceid',
    'idx_system$backgroundjob_xasinstance',
    [['uniq_system$backgroundjob_xasinstance_system$backgroundjobid', 'parent', '4fcadd5b-cfd5-3991-bdb8-19c4d63b1aa5']],
  ),
  assoc(
    'Workflow_WorkflowDefinition',
    '77c87c19-f28d-4ca3-870c-351722cf5e9e',
    WORKFLOW,
    WF_DEFINITION,
    'system$workflowid',
    'system$workflowdefinitionid',
    'idx_system$workflow_workflowdefinition',
    [['uniq_system$workflow_workflowdefinition_system$workflowid', 'parent', '593e832a-6cbc-3208-b1a1-06b8b873428f']],
  ),
  assoc(
    'WorkflowUserTask_Workflow',
    '53a1c6d7-5e4d-4a2d-81ec-58fde4bbba8a',
    WF_TASK,
    WORKFLOW,
    'system$workflowusertaskid',
    'system$workflowid',
    'idx_system$workflowusertask_workflow',
    [['uniq_system$workflowusertask_workflow_system$workflowusertaskid', 'parent', 'bb1eaa2c-e600-3a88-85d0-08d5f5ca94da']],
  ),
  assoc(
    'WorkflowUserTask_WorkflowUserTaskDefinition',
    '0169cc0e-491b-4ee3-812d-6bf3ba28e287',
    WF_TASK,
    WF_TASK_DEFINITION,
    'system$workflowusertaskid',
    'system$workflowusertaskdefinitionid',
    'idx_system$workflowusertask_workflowusertaskdefinition',
    [['uniq_syste$workflowusert_workflowusertaskdef_syste$workflowusert', 'parent', '0643c851-59f7-3428-92a1-a970ad21ad18']],
  ),
  assoc(
    'WorkflowUserTaskDefinition_WorkflowDefinition',
    '685c576c-19af-4ea7-983d-ece147c1cebc',
    WF_TASK_DEFINITION,
    WF_DEFINITION,
    'system$workflowusertaskdefinitionid',
    'system$workflowdefinitionid',
    'idx_system$workflowusertaskdefinition_workflowdefinition',
    [['uniq_syst$workflowusertaskd_workflowdefi_syst$workflowusertaskde', 'parent', 'ce3750f0-8db1-37ca-95b5-892696a3d9e2']],
  ),
  assoc(
    'WorkflowUserTask_TargetUsers',
    '2b9c1990-302f-474c-9341-9d5d23b27653',
    WF_TASK,
    USER,
    'system$workflowusertaskid',
    'system$userid',
    'idx_system$workflowusertask_targetusers',
  ),
  // Mendix 10 (made up id).
  assoc(
    'WorkflowUserTask_Assignees',
    '00000000-0000-4000-8000-00000000a00d',
    WF_TASK,
    USER,
    'system$workflowusertaskid',
    'system$userid',
    'idx_system$workflowusertask_assignees',
  ),
  // The runtime's own, not in the model.
  assoc(
    'WorkflowVersion_WorkflowDefinition',
    'c063e3e7-a440-47f0-8065-6fac7c723690',
    WF_VERSION,
    WF_DEFINITION,
    'system$workflowversionid',
    'system$workflowdefinitionid',
    'idx_system$workflowversion_workflowdefinition',
    [['uniq_system$workflowversi_workflowdefinit_system$workflowversion', 'parent', '47c7ac0f-8b15-3178-ae6c-8b0cb0debb61']],
  ),
];

/**
 * Later Mendix 10 versions create foreign keys on an association table's two
 * columns, `frn_<table>_<column>` ... ON DELETE CASCADE, and record them in
 * mendixsystem$association (parent_fkc_name, child_fkc_name, actions 0): seen
 * in Mendix 10 DDL of 2024 (public database_commands logs); the 10.1 fixture
 * has none. Two System association tables here have them.
 */
function fk(...args: Parameters<typeof assoc>): Assoc {
  return { ...assoc(...args), foreignKeys: true };
}

/** PostgreSQL's identifier limit (Mendix's MySQL names may have 64 characters). */
const pg = (name: string): string => name.slice(0, 63);
const q = (s: string): string => `'${s.replace(/'/g, "''")}'`;

function columnType(code: number, length: number): string {
  if (code === S || code === E) return length === 0 ? 'TEXT' : `VARCHAR(${length})`;
  if (code === DT) return 'TIMESTAMP';
  if (code === B) return 'BOOLEAN';
  if (code === I) return 'INT';
  if (code === 50) return 'BYTEA';
  return 'BIGINT';
}

/** The statements that create the tables and write Mendix's records of them (and the AutoNumber sequences' rows). */
export function mendixSystemStatements(): string[] {
  const out: string[] = [];
  const attr = (entityId: string, [name, id, code, length, def]: Col, column = name.toLowerCase()) =>
    `INSERT INTO "mendixsystem$attribute" ("id", "entity_id", "attribute_name", "column_name", "type", "length", "default_value", "is_auto_number") VALUES (${q(id)}, ${q(entityId)}, ${q(name)}, ${q(column)}, ${code}, ${length}, ${q(def)}, ${code === AUTO})`;
  for (const e of MENDIX_SYSTEM_ENTITIES) {
    const cols = [...e.cols];
    if (e.createdDate) cols.push(['createdDate', e.createdDate, DT, 0, '']);
    if (e.changedDate) cols.push(['changedDate', e.changedDate, DT, 0, '']);
    if (e.submeta) cols.push(['submetaobjectname', e.submeta, S, 255, e.name]);
    const ddl = ['"id" BIGINT NOT NULL', ...cols.map(([n, , code, length]) => `"${n.toLowerCase()}" ${columnType(code, length)} NULL`)];
    if (e.owner) ddl.push('"system$owner" BIGINT NULL');
    if (e.changedBy) ddl.push('"system$changedby" BIGINT NULL');
    const uniques = (e.uniques ?? []).map(([name, attrId]) => `CONSTRAINT "${pg(name)}" UNIQUE ("${cols.find((c) => c[1] === attrId)![0].toLowerCase()}")`);
    out.push(`CREATE TABLE "${e.table}" (${[...ddl, 'PRIMARY KEY("id")', ...uniques].join(', ')})`);
    const colOf = (id: string) => (id === e.owner ? 'system$owner' : id === e.changedBy ? 'system$changedby' : cols.find((c) => c[1] === id)![0].toLowerCase());
    for (const [, name, on] of e.indexes ?? [])
      out.push(`CREATE INDEX "${pg(name)}" ON "${e.table}" (${[...on.map((id) => `"${colOf(id)}" ASC`), '"id" ASC'].join(', ')})`);
    out.push(
      `INSERT INTO "mendixsystem$entity" ("id", "entity_name", "table_name", "superentity_id", "remote", "remote_primary_key") VALUES (${q(e.id)}, ${q(e.name)}, ${q(e.table)}, ${e.superId ? q(e.superId) : 'NULL'}, false, false)`,
    );
    for (const c of cols) out.push(attr(e.id, c));
    for (const [id, name] of [
      [e.owner, 'System.owner'],
      [e.changedBy, 'System.changedBy'],
    ] as const)
      if (id)
        out.push(
          `INSERT INTO "mendixsystem$association" ("id", "association_name", "table_name", "parent_entity_id", "child_entity_id", "parent_column_name", "child_column_name") VALUES (${q(id)}, ${q(name)}, ${q(name.toLowerCase().replace('.', '$'))}, ${q(e.id)}, ${q(USER)}, 'id', ${q(name.toLowerCase().replace('.', '$'))})`,
        );
    for (const [id, name, on] of e.indexes ?? []) {
      out.push(`INSERT INTO "mendixsystem$index" ("id", "table_id", "index_name") VALUES (${q(id)}, ${q(e.id)}, ${q(pg(name))})`);
      for (const [i, c] of on.entries())
        out.push(`INSERT INTO "mendixsystem$index_column" ("index_id", "column_id", "sort_order", "ordinal") VALUES (${q(id)}, ${q(c)}, 'false', ${i})`);
    }
    for (const [name, attrId] of e.uniques ?? [])
      out.push(`INSERT INTO "mendixsystem$unique_constraint" ("name", "table_id", "column_id") VALUES (${q(pg(name))}, ${q(e.id)}, ${q(attrId)})`);
    for (const [name, id, code] of cols)
      if (code === AUTO)
        out.push(
          `INSERT INTO "mendixsystem$sequence" ("attribute_id", "name", "start_value", "current_value") VALUES (${q(id)}, ${q(`${e.table}_${name.toLowerCase()}_mxseq`)}, 1, 0)`,
        );
  }
  for (const a of MENDIX_SYSTEM_ASSOCIATIONS) {
    const uniq = (a.uniques ?? []).map(([name, side]) => `CONSTRAINT "${pg(name)}" UNIQUE ("${side === 'parent' ? a.parentColumn : a.childColumn}")`);
    const tableOf = (id: string) => MENDIX_SYSTEM_ENTITIES.find((e) => e.id === id)!.table;
    const frn = (column: string) => pg(`frn_${a.table}_${column}`);
    const fks = a.foreignKeys
      ? [
          `CONSTRAINT "${frn(a.parentColumn)}" FOREIGN KEY ("${a.parentColumn}") REFERENCES "${tableOf(a.parent)}" ("id") ON DELETE CASCADE`,
          `CONSTRAINT "${frn(a.childColumn)}" FOREIGN KEY ("${a.childColumn}") REFERENCES "${tableOf(a.child)}" ("id") ON DELETE CASCADE`,
        ]
      : [];
    out.push(
      `CREATE TABLE "${a.table}" (${[`"${a.parentColumn}" BIGINT NOT NULL`, `"${a.childColumn}" BIGINT NOT NULL`, `PRIMARY KEY("${a.parentColumn}","${a.childColumn}")`, ...uniq, ...fks].join(', ')})`,
    );
    out.push(`CREATE INDEX "${pg(a.index)}" ON "${a.table}" ("${a.childColumn}" ASC, "${a.parentColumn}" ASC)`);
    out.push(
      `INSERT INTO "mendixsystem$association" ("id", "association_name", "table_name", "parent_entity_id", "child_entity_id", "parent_column_name", "child_column_name", "index_name") VALUES (${q(a.id)}, ${q(a.name)}, ${q(a.table)}, ${q(a.parent)}, ${q(a.child)}, ${q(a.parentColumn)}, ${q(a.childColumn)}, ${q(pg(a.index))})`,
    );
    for (const [name, , id] of a.uniques ?? [])
      out.push(`INSERT INTO "mendixsystem$unique_constraint" ("name", "table_id", "column_id") VALUES (${q(pg(name))}, ${q(a.id)}, ${q(id)})`);
    if (a.foreignKeys)
      out.push(
        `UPDATE "mendixsystem$association" SET "parent_fkc_name" = ${q(frn(a.parentColumn))}, "child_fkc_name" = ${q(frn(a.childColumn))}, "parent_fkc_action" = 0, "child_fkc_action" = 0 WHERE "id" = ${q(a.id)}`,
      );
  }
  return out;
}

/** An object id as Mendix makes it: the entity's short id in the top 16 bits, a sequence below. */
const mxId = (shortId: number, seq: number): bigint => (BigInt(shortId) << 48n) | BigInt(seq);

/** Rows a Mendix runtime stored in its System tables (short ids as the dump's entity identifiers). */
export const SYSTEM_ROWS = {
  users: [
    { id: mxId(2, 1), name: 'MxAdmin', anonymous: false },
    { id: mxId(2, 2), name: 'ada', anonymous: false },
    { id: mxId(2, 3), name: 'Anonymous_3149df99-77d4-4029-ac3c-5d300e395f8f', anonymous: true },
  ],
  roles: [
    { id: mxId(15, 1), guid: '8dd52bfa-6d7e-453b-b506-303c0a3d9567', name: 'Manager' },
    { id: mxId(15, 2), guid: '53f5d6fa-6da9-4a71-b011-454ec052cce8', name: 'Member' },
  ],
  language: { id: mxId(41, 1), code: 'en_US', description: 'English, United States' },
  zone: { id: mxId(50, 1), code: 'Europe/Amsterdam', description: '(GMT+01:00) Amsterdam/Europe', offset: 3600000 },
  definition: { id: mxId(51, 1), name: 'TaskTracker.Approve', title: 'Approve a task' },
  workflow: { id: mxId(8, 1), name: 'Approve task 12' },
  task: { id: mxId(42, 1), name: 'Review', state: 'InProgress' },
  processed: { id: mxId(36, 1), queue: 'TaskTracker.Mail', microflow: 'TaskTracker.SendMail' },
};

/** Identifiers of the System entities whose rows are above, with their object sequences. */
const IDENTIFIERS: readonly (readonly [string, number, number])[] = [
  [USER, 2, 3],
  [USER_ROLE, 15, 2],
  [LANGUAGE, 41, 1],
  // The dump's 12 and 11 are the SLA app's (mendix-database.ts): made up.
  [TIME_ZONE, 50, 1],
  [WF_DEFINITION, 51, 1],
  [WORKFLOW, 8, 1],
  [WF_TASK, 42, 1],
  [PROCESSED, 36, 1],
];

/** The rows of SYSTEM_ROWS as statements (passwords are Mendix's BCrypt form; the admin's is `Admin1!`). */
export function mendixSystemRows(): string[] {
  const r = SYSTEM_ROWS;
  const out: string[] = [];
  for (const [id, shortId, seq] of IDENTIFIERS)
    out.push(`INSERT INTO "mendixsystem$entityidentifier" ("id", "short_id", "object_sequence") VALUES (${q(id)}, ${shortId}, ${seq})`);
  for (const u of r.users)
    out.push(
      `INSERT INTO "system$user" ("id", "name", "password", "blocked", "active", "failedlogins", "webserviceuser", "isanonymous", "createddate", "changeddate", "submetaobjectname", "system$owner") VALUES (${u.id}, ${q(u.name)}, NULL, false, true, 0, false, ${u.anonymous}, '2023-08-19 15:40:02', '2023-08-19 15:40:02', 'System.User', ${u.id})`,
    );
  for (const x of r.roles)
    out.push(`INSERT INTO "system$userrole" ("id", "modelguid", "name", "description") VALUES (${x.id}, ${q(x.guid)}, ${q(x.name)}, '')`);
  out.push(
    `INSERT INTO "system$userroles" VALUES (${r.users[0]!.id}, ${r.roles[0]!.id}), (${r.users[1]!.id}, ${r.roles[1]!.id}), (${r.users[2]!.id}, ${r.roles[1]!.id})`,
  );
  out.push(`INSERT INTO "system$grantableroles" VALUES (${r.roles[0]!.id}, ${r.roles[0]!.id}), (${r.roles[0]!.id}, ${r.roles[1]!.id})`);
  out.push(`INSERT INTO "system$language" ("id", "code", "description") VALUES (${r.language.id}, ${q(r.language.code)}, ${q(r.language.description)})`);
  out.push(`INSERT INTO "system$user_language" VALUES (${r.users[1]!.id}, ${r.language.id})`);
  out.push(
    `INSERT INTO "system$timezone" ("id", "code", "description", "rawoffset") VALUES (${r.zone.id}, ${q(r.zone.code)}, ${q(r.zone.description)}, ${r.zone.offset})`,
  );
  out.push(`INSERT INTO "system$user_timezone" VALUES (${r.users[1]!.id}, ${r.zone.id})`);
  out.push(
    `INSERT INTO "system$workflowdefinition" ("id", "name", "title", "isobsolete", "islocked", "modelguid") VALUES (${r.definition.id}, ${q(r.definition.name)}, ${q(r.definition.title)}, false, false, '0f0e0d0c-0b0a-4909-8807-060504030201')`,
  );
  out.push(
    `INSERT INTO "system$workflow" ("id", "name", "starttime", "canberestarted", "canbecontinued", "canapplyjumpto", "state", "previousstate", "system$owner") VALUES (${r.workflow.id}, ${q(r.workflow.name)}, '2023-08-20 14:07:36', false, false, true, 'InProgress', NULL, ${r.users[0]!.id})`,
  );
  out.push(`INSERT INTO "system$workflow_workflowdefinition" VALUES (${r.workflow.id}, ${r.definition.id})`);
  out.push(
    `INSERT INTO "system$workflowusertask" ("id", "name", "starttime", "state", "completiontype") VALUES (${r.task.id}, ${q(r.task.name)}, '2023-08-20 14:07:37', ${q(r.task.state)}, 'Single')`,
  );
  out.push(`INSERT INTO "system$workflowusertask_workflow" VALUES (${r.task.id}, ${r.workflow.id})`);
  out.push(`INSERT INTO "system$workflowusertask_targetusers" VALUES (${r.task.id}, ${r.users[1]!.id})`);
  out.push(
    `INSERT INTO "system$processedqueuetask" ("id", "sequence", "status", "queuename", "contexttype", "microflowname", "created", "started", "retried", "finished", "duration") VALUES (${r.processed.id}, 1, 'Completed', ${q(r.processed.queue)}, 'System', ${q(r.processed.microflow)}, '2023-08-20 15:15:30', '2023-08-20 15:15:31', 0, '2023-08-20 15:15:32', 1000)`,
  );
  return out;
}
