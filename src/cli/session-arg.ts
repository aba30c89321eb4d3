// The session a command acts on when none is named: the one this shell runs
// in (asked by terminal id, so a rename since the shell started is seen), else
// the one for this directory, as `trail` would pick.
import { UsageError } from './command.js';
import { call } from './connect.js';
import { ClientError } from '../client/daemon-client.js';

export async function currentSession(): Promise<string | undefined> {
  const r = await call('session.current', { terminal: process.env.TRAIL_TERMINAL, dir: process.cwd() });
  return r.name ?? undefined;
}

export async function sessionArg(given: string | undefined, what: string): Promise<string> {
  const s = given ?? (await currentSession());
  if (!s) throw new UsageError(`${what} needs a session name (or run it inside a trail session, or in a directory that has one: trail ls)`);
  return s;
}

/** Inside a session, the session this shell runs in (renames seen); elsewhere undefined. */
export async function ownSession(): Promise<string | undefined> {
  if (!process.env.TRAIL_TERMINAL && !process.env.TRAIL_SESSION) return undefined;
  if (!process.env.TRAIL_TERMINAL) return process.env.TRAIL_SESSION;
  try {
    const r = await call('session.current', { terminal: process.env.TRAIL_TERMINAL }, { start: false });
    return r.name ?? process.env.TRAIL_SESSION;
  } catch (e) {
    // No daemon (this shell outlived it?): the name it was started with.
    if (e instanceof ClientError && e.code === 'not_running') return process.env.TRAIL_SESSION;
    throw e;
  }
}

/** The help line of --session, the same for every command that acts on one. */
export const SESSION_HELP = { arg: 'S', text: 'the session (default: the one you are in, or the one for this directory)' };
