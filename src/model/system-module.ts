import type { DomainModelFile } from './schema/index.js';
import { SYSTEM_WORKFLOWS } from './system-workflows.js';

/**
 * The built-in System module at model level: the entities apps generalize
 * (User, FileDocument, Image) and associate with, and those the runtime itself
 * stores (Session, ScheduledEventInformation, QueuedTask). Attribute names follow Mendix.
 */

/** What a task in a queue records (System.QueuedTask), kept in its processed record too. */
const QUEUED_TASK_ATTRIBUTES = {
  Sequence: 'Long',
  Status: { type: 'Enumeration', enumeration: 'QueueTaskStatus', default: 'Idle' },
  QueueId: { type: 'String', length: 36 },
  QueueName: { type: 'String', length: 200 },
  ContextType: { type: 'Enumeration', enumeration: 'ContextType' },
  ContextData: { type: 'String', length: 'unlimited' },
  MicroflowName: { type: 'String', length: 200 },
  UserActionName: { type: 'String', length: 200 },
  Arguments: { type: 'String', length: 'unlimited' },
  XASId: { type: 'String', length: 50 },
  ThreadId: 'Long',
  Created: 'DateTime',
  StartAt: 'DateTime',
  Started: 'DateTime',
  Retried: { type: 'Long', default: 0 },
  Retry: { type: 'String', length: 200 },
  ErrorMessage: { type: 'String', length: 'unlimited' },
} as const;

export const SYSTEM_MODULE: DomainModelFile = {
  moduleRoles: ['Administrator', 'User'],
  enumerations: {
    EventStatus: { Running: 'Running', Completed: 'Completed', Error: 'Error', Stopped: 'Stopped', Skipped: 'Skipped' },
    DeviceType: { Phone: 'Phone', Tablet: 'Tablet', Desktop: 'Desktop' },
    // System.UserReportInfo: whether a user counts as internal or external for licensing.
    UserType: { Internal: 'Internal', External: 'External' },
    QueueTaskStatus: {
      Idle: 'Idle',
      Running: 'Running',
      Completed: 'Completed',
      Failed: 'Failed',
      Retrying: 'Retrying',
      Aborted: 'Aborted',
      Incompatible: 'Incompatible',
    },
    // In whose context a queued task runs.
    ContextType: { System: 'System', User: 'User', Anonymous: 'Anonymous', ScheduledEvent: 'ScheduledEvent' },
    // System.ConsumedODataConfiguration: which proxy a consumed OData service's calls use.
    ProxyConfiguration: { UseAppSettings: 'UseAppSettings', Override: 'Override', NoProxy: 'NoProxy' },
    UnreferencedFileState: { New: 'New', Obsolete: 'Obsolete', Deleted: 'Deleted' },
    ...SYSTEM_WORKFLOWS.enumerations,
  },
  entities: {
    User: {
      attributes: {
        Name: { type: 'String', length: 100 },
        Password: { type: 'HashedString', length: 200 },
        LastLogin: { type: 'DateTime' },
        Blocked: { type: 'Boolean', default: false },
        BlockedSince: { type: 'DateTime' },
        Active: { type: 'Boolean', default: true },
        FailedLogins: { type: 'Integer', default: 0 },
        WebServiceUser: { type: 'Boolean', default: false },
        IsAnonymous: { type: 'Boolean', default: false },
      },
      systemMembers: { createdDate: true, changedDate: true, owner: true, changedBy: true },
      validation: [{ attribute: 'Name', unique: 'The user name is already in use.' }],
      // Login looks users up by name.
      indexes: [{ name: 'idx_system$user_name', attributes: ['Name'] }],
      access: [
        {
          roles: ['Administrator'],
          create: true,
          delete: true,
          read: '*',
          write: ['Name', 'Password', 'Active', 'Blocked', 'WebServiceUser', 'UserRoles', 'User_Language', 'User_TimeZone'],
        },
        {
          roles: ['User'],
          read: ['Name', 'LastLogin', 'UserRoles', 'User_Language', 'User_TimeZone'],
          write: ['Password', 'User_Language', 'User_TimeZone'],
          xpath: "[id = '[%CurrentUser%]']",
        },
      ],
    },
    UserRole: {
      attributes: {
        ModelGUID: { type: 'String', length: 36 },
        Name: { type: 'String', length: 100 },
        Description: { type: 'String', length: 1000 },
      },
      // grantableRoles is filled at start-up from the app's security.manageableRoles (src/security/bootstrap.ts).
      access: [{ roles: ['Administrator', 'User'], read: '*' }],
    },
    Session: {
      attributes: {
        SessionId: { type: 'String', length: 50 },
        CSRFToken: { type: 'String', length: 50 },
        LastActive: { type: 'DateTime' },
        LongLived: { type: 'Boolean', default: false },
        ReadOnlyHashKey: { type: 'String', length: 36 },
        LastActionExecution: { type: 'DateTime' },
      },
      systemMembers: { createdDate: true },
      indexes: [{ name: 'idx_system$session_sessionid', attributes: ['SessionId'] }],
    },
    // Authentication tokens of "remember me" logins (Mendix 10.9+): storage, the runtime does not issue them yet.
    TokenInformation: {
      attributes: {
        Token: { type: 'HashedString', length: 200 },
        ExpiryDate: 'DateTime',
        UserAgent: { type: 'String', length: 'unlimited' },
      },
      access: [{ roles: ['Administrator'], delete: true, read: ['ExpiryDate', 'UserAgent', 'TokenInformation_User'] }],
    },
    // Licensing: marks users as internal or external; administrators maintain it.
    UserReportInfo: {
      attributes: {
        UserType: { type: 'Enumeration', enumeration: 'UserType', default: 'Internal' },
        Hash: { type: 'String', length: 64 },
      },
      access: [{ roles: ['Administrator'], create: true, delete: true, read: '*', write: ['UserType', 'UserReportInfo_User'] }],
    },
    FileDocument: {
      attributes: {
        FileID: 'AutoNumber',
        Name: { type: 'String', length: 400 },
        DeleteAfterDownload: { type: 'Boolean', default: false },
        Contents: 'Binary',
        HasContents: { type: 'Boolean', default: false },
        Size: { type: 'Long', default: -1 },
      },
      systemMembers: { createdDate: true, changedDate: true, owner: true, changedBy: true },
    },
    Image: {
      generalization: 'System.FileDocument',
      attributes: {
        PublicThumbnailPath: { type: 'String', length: 500 },
        EnableCaching: { type: 'Boolean', default: true },
      },
    },
    Thumbnail: {
      generalization: 'System.FileDocument',
      attributes: {},
    },
    // Files only the runtime hands out (Mendix stores them apart from the app's FileDocuments): storage.
    PrivateFileDocument: {
      generalization: 'System.FileDocument',
      attributes: {},
    },
    // Mendix's record of a microflow run in the background (started from the client with a progress bar): storage.
    BackgroundJob: {
      attributes: {
        JobId: { type: 'Long', default: 0 },
        StartTime: 'DateTime',
        EndTime: 'DateTime',
        Result: { type: 'String', length: 'unlimited' },
        Successful: { type: 'Boolean', default: false },
      },
      indexes: [{ name: 'idx_system$backgroundjob_jobid_asc', attributes: ['JobId'] }],
      access: [{ roles: ['Administrator'], read: '*' }],
    },
    // Files whose contents lost their FileDocument, kept until their removal from the file store.
    UnreferencedFile: {
      attributes: {
        FileKey: { type: 'String', length: 36 },
        State: { type: 'Enumeration', enumeration: 'UnreferencedFileState', default: 'New' },
        TransactionId: { type: 'String', length: 36 },
      },
      systemMembers: { createdDate: true },
      access: [{ roles: ['Administrator'], read: '*' }],
    },
    Language: {
      attributes: {
        Code: { type: 'String', length: 20 },
        Description: { type: 'String', length: 200 },
      },
      access: [{ roles: ['Administrator', 'User'], read: '*' }],
    },
    // The zones a user may live in (seeded at start-up from the IANA names): Code is the IANA
    // name, RawOffset the standard offset from UTC in milliseconds (without daylight saving).
    TimeZone: {
      attributes: {
        Code: { type: 'String', length: 50 },
        Description: { type: 'String', length: 100 },
        RawOffset: { type: 'Integer', default: 0 },
      },
      access: [{ roles: ['Administrator', 'User'], read: '*' }],
    },
    ScheduledEventInformation: {
      attributes: {
        Name: { type: 'String', length: 200 },
        Description: { type: 'String', length: 'unlimited' },
        StartTime: 'DateTime',
        EndTime: 'DateTime',
        Status: { type: 'Enumeration', enumeration: 'EventStatus' },
      },
    },
    // The running instances: the cluster component (src/cluster) registers each instance at start-up,
    // refreshes LastUpdate every ClusterManagerActionInterval and removes it when it stops or stops refreshing.
    // StartedAt, Address and ModelVersion are Kiln's additions; the licence attributes stay empty.
    XASInstance: {
      attributes: {
        XASId: { type: 'String', length: 50 },
        LastUpdate: 'DateTime',
        AllowedNumberOfConcurrentUsers: 'Integer',
        PartnerName: { type: 'String', length: 200 },
        CustomerName: { type: 'String', length: 200 },
        StartedAt: 'DateTime',
        Address: { type: 'String', length: 200 },
        ModelVersion: { type: 'String', length: 64 },
      },
      systemMembers: { createdDate: true },
      indexes: [{ name: 'idx_system$xasinstance_xasid', attributes: ['XASId'] }],
      access: [{ roles: ['Administrator'], read: '*' }],
    },
    // Task queues (src/background/queues): a task waiting or running, then its record once finished.
    QueuedTask: {
      attributes: QUEUED_TASK_ATTRIBUTES,
      indexes: [{ name: 'idx_system$queuedtask_queue_status', attributes: ['QueueName', 'Status', 'StartAt'] }],
      access: [{ roles: ['Administrator'], read: '*' }],
    },
    ProcessedQueueTask: {
      attributes: {
        ...QUEUED_TASK_ATTRIBUTES,
        // A record of what happened: no defaults (Mendix gives none here).
        Status: { type: 'Enumeration', enumeration: 'QueueTaskStatus' },
        Retried: 'Long',
        Finished: 'DateTime',
        Duration: 'Long',
        ScheduledEventName: { type: 'String', length: 200 },
      },
      access: [{ roles: ['Administrator'], read: '*' }],
    },
    // Which instance may take tasks of a queue until when (Mendix's task queue bookkeeping): storage.
    TaskQueueToken: {
      attributes: {
        XASId: { type: 'String', length: 50 },
        QueueName: { type: 'String', length: 200 },
        ValidUntil: 'DateTime',
      },
      access: [{ roles: ['Administrator'], read: '*' }],
    },
    // Objects committed automatically because a committed object referred to them (Mendix's autocommits): storage.
    AutoCommitEntry: {
      attributes: {
        SessionId: { type: 'String', length: 36 },
        ObjectId: { type: 'Long', default: 0 },
      },
      access: [{ roles: ['Administrator'], read: '*' }],
    },
    // Offline synchronisation: objects a device could not synchronise, with the file that held them.
    SynchronizationError: {
      attributes: {
        Reason: { type: 'String', length: 'unlimited' },
        ObjectId: { type: 'String', length: 200 },
        ObjectType: { type: 'String', length: 1000 },
        ObjectContent: { type: 'String', length: 'unlimited' },
      },
      systemMembers: { createdDate: true, owner: true },
      access: [{ roles: ['Administrator'], read: '*', delete: true }],
    },
    SynchronizationErrorFile: {
      generalization: 'System.FileDocument',
      attributes: {},
      access: [{ roles: ['Administrator'], read: '*', delete: true }],
    },
    Error: {
      persistable: false,
      attributes: {
        ErrorType: { type: 'String', length: 'unlimited' },
        Message: { type: 'String', length: 'unlimited' },
        Stacktrace: { type: 'String', length: 'unlimited' },
      },
    },
    // $latestSoapFault: a SOAP fault's parts, for web service calls.
    SoapFault: {
      persistable: false,
      generalization: 'System.Error',
      attributes: {
        Code: { type: 'String', length: 'unlimited' },
        Reason: { type: 'String', length: 'unlimited' },
        Node: { type: 'String', length: 'unlimited' },
        Role: { type: 'String', length: 'unlimited' },
        Detail: { type: 'String', length: 'unlimited' },
      },
    },
    // Paging and sorting of consumed web service and external data calls.
    Paging: {
      persistable: false,
      attributes: {
        PageNumber: { type: 'Long', default: 1 },
        IsSortable: { type: 'Boolean', default: false },
        SortAttribute: { type: 'String', length: 200 },
        SortAscending: { type: 'Boolean', default: true },
        HasMoreData: { type: 'Boolean', default: false },
      },
    },
    // The answer of an OData call that counts.
    ODataResponse: {
      persistable: false,
      attributes: { Count: { type: 'Long', default: -1 } },
    },
    // What a consumed OData service's configuration microflow returns (with its HttpHeaders): storage.
    ConsumedODataConfiguration: {
      persistable: false,
      attributes: {
        ServiceUrl: { type: 'String', length: 'unlimited' },
        ProxyConfiguration: { type: 'Enumeration', enumeration: 'ProxyConfiguration' },
        ProxyHost: { type: 'String', length: 'unlimited' },
        ProxyPort: 'Integer',
        ProxyUsername: { type: 'String', length: 'unlimited' },
        ProxyPassword: { type: 'String', length: 'unlimited' },
      },
    },
    ...SYSTEM_WORKFLOWS.entities,
    // Non-persistable HTTP messages, as Mendix has them: published REST operations and
    // custom authentication microflows take an HttpRequest (and may fill an HttpResponse);
    // callRest can return an HttpResponse and sets $latestHttpResponse.
    HttpMessage: {
      persistable: false,
      attributes: {
        HttpVersion: { type: 'String', length: 10 },
        Content: { type: 'String', length: 'unlimited' },
      },
    },
    HttpRequest: {
      persistable: false,
      generalization: 'System.HttpMessage',
      attributes: { Uri: { type: 'String', length: 'unlimited' } },
    },
    HttpResponse: {
      persistable: false,
      generalization: 'System.HttpMessage',
      attributes: {
        StatusCode: { type: 'Integer', default: 0 },
        ReasonPhrase: { type: 'String', length: 'unlimited' },
      },
    },
    HttpHeader: {
      persistable: false,
      attributes: {
        Key: { type: 'String', length: 'unlimited' },
        Value: { type: 'String', length: 'unlimited' },
      },
    },
  },
  associations: {
    UserRoles: { type: 'ReferenceSet', parent: 'User', child: 'UserRole' },
    // The roles a user with this role may give to (and take from) other users.
    grantableRoles: { type: 'ReferenceSet', parent: 'UserRole', child: 'UserRole' },
    TokenInformation_User: { type: 'Reference', parent: 'TokenInformation', child: 'User', deleteBehavior: { child: 'cascade' } },
    UserReportInfo_User: { type: 'Reference', parent: 'UserReportInfo', child: 'User', deleteBehavior: { child: 'cascade' } },
    Thumbnail_Image: { type: 'Reference', parent: 'Thumbnail', child: 'Image', deleteBehavior: { child: 'cascade' } },
    SynchronizationErrorFile_SynchronizationError: {
      type: 'Reference',
      parent: 'SynchronizationErrorFile',
      child: 'SynchronizationError',
      deleteBehavior: { child: 'cascade' },
    },
    User_Language: { type: 'Reference', parent: 'User', child: 'Language' },
    User_TimeZone: { type: 'Reference', parent: 'User', child: 'TimeZone' },
    Session_User: { type: 'Reference', parent: 'Session', child: 'User', deleteBehavior: { child: 'cascade' } },
    HttpHeaders: { type: 'Reference', parent: 'HttpHeader', child: 'HttpMessage' },
    ScheduledEventInformation_XASInstance: { type: 'Reference', parent: 'ScheduledEventInformation', child: 'XASInstance' },
    UnreferencedFile_XASInstance: { type: 'Reference', parent: 'UnreferencedFile', child: 'XASInstance' },
    HttpHeader_ConsumedODataConfiguration: { type: 'Reference', parent: 'HttpHeader', child: 'ConsumedODataConfiguration' },
    BackgroundJob_Session: { type: 'Reference', parent: 'BackgroundJob', child: 'Session' },
    BackgroundJob_XASInstance: { type: 'Reference', parent: 'BackgroundJob', child: 'XASInstance' },
    ...SYSTEM_WORKFLOWS.associations,
  },
};

/** Names that user attributes may not take: system members and reserved columns. */
export const RESERVED_MEMBER_NAMES = ['id', 'createddate', 'changeddate', 'owner', 'changedby', 'submetaobjectname'];

/** System entities an app entity may generalize. */
export const SPECIALIZABLE_SYSTEM_ENTITIES = ['System.User', 'System.FileDocument', 'System.Image'];
