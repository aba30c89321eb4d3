// One error type crosses every transport: a code a program can branch on and a
// message a person can act on (what went wrong and how to mend it).
export type ErrorCode =
  | 'not_found'
  | 'invalid'
  | 'exists'
  | 'conflict'
  | 'unavailable'
  /** The person's boundaries refuse it (policy level, a rule, the person's own operations). */
  | 'forbidden'
  | 'internal';

export class TrailError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TrailError';
  }
}

export function isTrailError(e: unknown): e is TrailError {
  return e instanceof TrailError;
}
