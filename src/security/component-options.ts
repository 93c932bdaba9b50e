import type { Settings } from '../core/settings.js';
import { UserError } from '../model/diagnostics.js';
import { defaultHashThreads } from './hash-pool.js';
import { checkCost } from './password.js';

/** The security component's settings, defaulted and checked. */
export interface SecurityOptions {
  /** bcrypt cost (HashAlgorithmCost). */
  readonly cost: number;
  readonly timeoutMs: number;
  /** Keep-alive flush interval (SessionKeepAliveUpdatesInterval). */
  readonly flushMs: number;
  readonly validationMs: number;
  /** Session clean-up interval (ClusterManagerActionInterval). */
  readonly cleanupMs: number;
  /** SessionMaxLifetime: a session ends this long after it began, however active. */
  readonly maxLifetimeMs: number;
  /** AnonymousSessionRateLimit: new anonymous sessions per client address per minute (0: no limit). */
  readonly anonymousSessionsPerMinute: number;
  readonly loginMaxAttempts: number;
  readonly loginBlockDurationMs: number;
  /** PasswordHashThreads: worker threads for bcrypt. */
  readonly hashThreads: number;
  /** LoginThrottleAttempts (0: off) within LoginThrottleWindow, per client address. */
  readonly loginThrottleAttempts: number;
  readonly loginThrottleWindowMs: number;
}

export function securityOptions(settings: Settings): SecurityOptions {
  const cost = checkCost(settings.get('HashAlgorithmCost') ?? 12);
  const timeoutMs = settings.get('SessionTimeout') ?? 600000;
  const flushMs = settings.get('SessionKeepAliveUpdatesInterval') ?? 100000;
  const validationMs = settings.get('SessionValidationTimeout') ?? 30000;
  // As in Mendix: unset, the clean-up runs twice per session timeout, so an expired
  // session row (or a block that ran out) lingers at most half a timeout.
  const cleanupMs = settings.get('ClusterManagerActionInterval') ?? Math.max(1, Math.floor(timeoutMs / 2));
  if (flushMs >= timeoutMs) {
    throw new UserError(`SessionKeepAliveUpdatesInterval (${flushMs}) must be smaller than SessionTimeout (${timeoutMs}), or active sessions would expire`);
  }
  const maxLifetimeMs = settings.get('SessionMaxLifetime') ?? 43200000;
  if (maxLifetimeMs <= 0) throw new UserError(`SessionMaxLifetime (${maxLifetimeMs}) must be positive`);
  const anonymousSessionsPerMinute = settings.get('AnonymousSessionRateLimit') ?? 30;
  if (anonymousSessionsPerMinute < 0) throw new UserError(`AnonymousSessionRateLimit (${anonymousSessionsPerMinute}) must be 0 (no limit) or more`);
  return {
    cost,
    timeoutMs,
    flushMs,
    validationMs,
    cleanupMs,
    maxLifetimeMs,
    anonymousSessionsPerMinute,
    loginMaxAttempts: settings.get('LoginMaxAttempts') ?? 3,
    loginBlockDurationMs: settings.get('LoginBlockDuration') ?? 300000,
    hashThreads: atLeast('PasswordHashThreads', settings.get('PasswordHashThreads') ?? defaultHashThreads(), 1),
    loginThrottleAttempts: atLeast('LoginThrottleAttempts', settings.get('LoginThrottleAttempts') ?? 20, 0),
    loginThrottleWindowMs: atLeast('LoginThrottleWindow', settings.get('LoginThrottleWindow') ?? 60000, 1),
  };
}

function atLeast(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new UserError(`${name} must be a whole number of at least ${min}, got ${value}`);
  return value;
}
