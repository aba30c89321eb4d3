// `trail forget`: what should never have been kept (a pasted secret, a
// private command) is removed from the trail, its indexes and the file; the
// trail keeps only that something was forgotten, and how much.
import { personOnly } from './agents.js';
import { bind } from './define.js';
import { TrailError } from '../common/errors.js';
import { timeArg } from './time-arg.js';
import { forget } from '../store/forget.js';

export const forgetOps = [
  bind('trail.forget', async (ctx, i, caller) => {
    personOnly(ctx, '', caller, 'make the trail forget');
    const now = ctx.now();
    const since = timeArg('since', i.since, now);
    const until = timeArg('until', i.until, now);
    if (!i.ids.length && i.match === undefined && since === undefined && until === undefined)
      throw new TrailError('invalid', 'forget what? give command ids, --match TEXT, or --since/--until (nothing is forgotten by default)');
    if (i.match !== undefined && !i.match.trim()) throw new TrailError('invalid', '--match needs a text');
    const session = i.session === undefined ? undefined : ctx.manager.get(i.session);
    const ids = i.ids.length ? i.ids : undefined;
    if (ids) for (const id of ids) if (!ctx.commands.get(id)) throw new TrailError('not_found', `no command ${id} (nothing was forgotten)`);
    // Services' output on its way to the store is written first, so that it is forgotten too.
    await ctx.services.flushed();
    const r = ctx.health.attempt('forgetting', () => forget(ctx.db, { ids, sessionIds: session ? [session.id] : undefined, since, until, match: i.match }));
    if (!r) throw new TrailError('unavailable', 'the store could not be written: nothing was forgotten (trail daemon status says why)');
    const how = ids ? `${ids.length} id(s)` : i.match !== undefined ? 'by a text' : 'by time';
    for (const s of session ? [session] : ctx.manager.list())
      ctx.manager.events.emit({ kind: 'forgot', sessionId: s.id, terminalId: null, at: now, data: { commands: r.commands, notes: r.notes, lines: r.lines, how } });
    return r;
  }),
];
