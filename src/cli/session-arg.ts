// The session a command acts on when none is named: the one this shell runs in.
import { UsageError } from './command.js';

export function sessionArg(given: string | undefined, what: string): string {
  const s = given ?? process.env.TRAIL_SESSION;
  if (!s) throw new UsageError(`${what} needs a session name (or run it inside a trail session)`);
  return s;
}
