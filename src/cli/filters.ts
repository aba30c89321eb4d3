// The filter flags shared by log, search and last.
import { resolve } from 'node:path';
import type { Options } from './command.js';
import { UsageError } from './command.js';

export const filterOptions: Options = {
  session: { type: 'string', short: 's' },
  dir: { type: 'string' },
  failed: { type: 'boolean' },
  since: { type: 'string' },
  until: { type: 'string' },
  branch: { type: 'string' },
  json: { type: 'boolean' },
  'no-pager': { type: 'boolean' },
};

export function filterInput(values: Record<string, unknown>, session?: string) {
  return {
    session: (values.session as string | undefined) ?? session,
    // relative to where trail is run (`--dir .`), as the daemon's own cwd means nothing to the user
    dir: values.dir ? resolve(values.dir as string) : undefined,
    failed: values.failed ? true : undefined,
    since: values.since as string | undefined,
    until: values.until as string | undefined,
    branch: values.branch as string | undefined,
  };
}

/** -n N: a whole number from 1 up to max, or a usage error that says so. */
export function limitArg(given: unknown, fallback: number, max: number): number {
  if (given === undefined) return fallback;
  const n = Number(given);
  if (!/^\d+$/.test(String(given)) || n < 1 || n > max) throw new UsageError(`-n takes a whole number from 1 to ${max}, not ${JSON.stringify(given)}`);
  return n;
}

/** True when any filter narrows what is listed. */
export function filtered(values: Record<string, unknown>): boolean {
  return ['session', 'dir', 'failed', 'since', 'until', 'branch'].some((k) => values[k] !== undefined);
}
