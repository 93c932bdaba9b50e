/**
 * Who is asking: handed to the query engine (security constraints, tokens),
 * the microflow engine ($currentUser) and the client API (access checks).
 * Built by the session manager per request; `system` contexts (start-up,
 * scheduled events, microflows without entity access) bypass entity access.
 */
export interface UserContext {
  /** System.User id of the user, or null for the system context. */
  readonly userId: bigint | null;
  readonly userName: string | null;
  /** Concrete entity of the user object (System.User or a specialization such as Administration.Account). */
  readonly userEntity: string | null;
  /** User role names (app.yaml security.userRoles keys). */
  readonly userRoles: readonly string[];
  /** Qualified module roles granted by the user roles (`Module.Role`). */
  readonly moduleRoles: ReadonlySet<string>;
  /** Session id (System.Session.SessionId), or null outside a session. */
  readonly sessionId: string | null;
  /** Session object id, for $currentSession. */
  readonly sessionObjectId: bigint | null;
  /** IANA time zone of the user, for tokens and date functions; 'UTC' when unknown. */
  readonly timeZone: string;
  /** True when timeZone is the user's System.User_TimeZone or app.yaml's defaultTimeZone, not the UTC fallback. */
  readonly timeZoneKnown?: boolean;
  /**
   * The language the user reads (a code of app.yaml's languages): the one their client shows,
   * else System.User_Language; model texts given per language (messages, validation texts) are
   * picked in it. Absent: the app's default language.
   */
  readonly language?: string;
  /** When false, entity access is not applied (system context, security level off/prototype for data). */
  readonly applyEntityAccess: boolean;
  readonly anonymous: boolean;
}

export const SYSTEM_CONTEXT: UserContext = {
  userId: null,
  userName: null,
  userEntity: null,
  userRoles: [],
  moduleRoles: new Set(),
  sessionId: null,
  sessionObjectId: null,
  timeZone: 'UTC',
  applyEntityAccess: false,
  anonymous: false,
};
