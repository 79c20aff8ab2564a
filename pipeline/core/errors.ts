/**
 * The one error type for problems the user can fix (bad config, bad arguments, missing files).
 * The CLI catches it once, prints its message on one line (plus `details` lines), and exits with
 * `exitCode` (2 by default). Anything else is a bug: printed with its stack at -vvvvv.
 */
export class UserError extends Error {
  readonly exitCode: number
  readonly details: string[]
  constructor(message: string, opts: { exitCode?: number; details?: string[]; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'UserError'
    this.exitCode = opts.exitCode ?? 2
    this.details = opts.details ?? []
  }
}

/** Exit code of a step that ran to the end but had failures (a dead tracker, a bad feed item...). */
export const EXIT_PARTIAL_FAILURE = 1
/** Exit code for user errors (config, arguments). */
export const EXIT_USER_ERROR = 2
/** Exit code when another run holds the database lock. */
export const EXIT_LOCKED = 3

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
