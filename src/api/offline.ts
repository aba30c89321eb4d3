// The trail read without a daemon: `trail log`, `show`, `search` and `last`
// when none runs answer from the store, read-only, through the same handlers
// the daemon runs (so the answers are the same), instead of starting one.
// The sessions are the ones the store remembers.
import { invoke, type Operation } from './define.js';
import { trailOps } from './trail.js';
import { READ_OPS } from '../contract/ops.js';
import type { ApiContext } from './context.js';
import { TrailError } from '../common/errors.js';
import { SessionStore, sessionNames, recordingPauses } from '../store/sessions.js';
import { CommandStore, searchCommands } from '../store/commands.js';
import type { SearchRequest } from '../daemon/search-thread.js';
import { migrations } from '../store/migrations.js';
import { openStoreReadOnly } from './trail-reader.js';

/** The operations that only read the trail. */
const READING = new Set<string>(READ_OPS);
const ops = new Map<string, Operation>(trailOps.filter((o) => READING.has(o.name)).map((o) => [o.name, o as Operation]));

export async function invokeOffline(dbFile: string, op: string, input: unknown): Promise<unknown> {
  if (!READING.has(op)) throw new TrailError('unavailable', `${op} needs the daemon`);
  const db = await openStoreReadOnly(dbFile);
  if (!db) {
    // No store yet: an empty trail.
    if (op === 'command.show' || op === 'command.last') throw new TrailError('not_found', 'the trail is empty: no command has been recorded yet');
    return op === 'trail.count' ? { count: 0 } : [];
  }
  try {
    // A store an older trail wrote: the daemon brings its schema up to date first.
    if (db.pragma('user_version', { simple: true }) !== migrations.length) throw new TrailError('unavailable', 'the store needs the daemon to update it');
    const sessions = new SessionStore(db);
    const live = () => db.prepare('SELECT id, name FROM sessions WHERE killed_at IS NULL').all() as { id: string; name: string }[];
    // What the handlers use of the session manager, from the store: sessions by name, pauses.
    const manager = {
      find: (name: string) => live().find((s) => s.name === name),
      get: (name: string) => {
        const s = live().find((x) => x.name === name);
        if (s) return s;
        const names = live().map((x) => x.name);
        throw new TrailError('not_found', `no session named "${name}"; ${names.length ? 'sessions: ' + names.join(', ') : 'there are no sessions'}`);
      },
      pauses: (ids?: string[]) => recordingPauses(sessions, ids),
      storedEvents: (kinds: string[], ids?: string[], since?: number) => sessions.events(kinds, ids, since),
    };
    const ctx = {
      commands: new CommandStore(db),
      sessionNames: () => sessionNames(db),
      searcher: { search: async (r: SearchRequest) => searchCommands(db, r.text, r.filter, r.limit, r.field) },
      manager,
      now: Date.now,
    } as unknown as ApiContext;
    return await invoke(ops, ctx, op, input, { client: 'cli' });
  } finally {
    db.close();
  }
}
