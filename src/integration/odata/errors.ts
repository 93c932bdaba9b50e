import type { ErrorBody, PublicError } from '../../core/errors.js';

/**
 * An OData request error: its status and a message for the caller, answered as
 * OData's JSON error body `{"error":{"code","message"}}` (the service handler
 * formats every public error that way; the server's error handler would send
 * `{"error": message}` if one escaped).
 */
export class ODataError extends Error implements PublicError {
  constructor(
    readonly status: number,
    message: string,
    readonly target?: string,
  ) {
    super(message);
    this.name = 'ODataError';
  }

  publicBody(): ErrorBody {
    return { error: this.message };
  }
}

/** OData's error body for a status and message (and the target, a property, when known). */
export function odataErrorBody(status: number, message: string, details?: readonly { target: string; message: string }[], target?: string): string {
  return JSON.stringify({
    error: {
      code: String(status),
      message,
      ...(target ? { target } : {}),
      ...(details?.length ? { details: details.map((d) => ({ code: String(status), ...d })) } : {}),
    },
  });
}
