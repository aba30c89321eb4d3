// Reading the trail: the timeline, one command, search, and "what just broke".
import type { z } from 'zod';
import { bind } from './define.js';
import { commandView } from './views.js';
import { timeArg } from './time-arg.js';
import { SERVICE_EVENT_KINDS } from '../contract/ops.js';
import { TrailError } from '../common/errors.js';
import { redact } from '../common/redact.js';
import type { ApiContext } from './context.js';
import type { CommandFilter, CommandRow } from '../store/commands.js';
import type { Filters } from '../contract/ops.js';

function toFilter(ctx: ApiContext, i: z.infer<typeof Filters>): CommandFilter {
  const f: CommandFilter = {};
  if (i.session !== undefined) {
    const live = ctx.manager.find(i.session);
    if (live) f.sessionIds = [live.id];
    else {
      const ids = [...ctx.sessionNames()].filter(([, n]) => n === `${i.session} (killed)`).map(([id]) => id);
      if (!ids.length) ctx.manager.get(i.session); // throws the one clear error
      f.sessionIds = ids;
    }
  }
  if (i.dir) f.dirPrefix = i.dir;
  if (i.failed) f.failed = true;
  const now = ctx.now();
  for (const key of ['since', 'until'] as const) {
    const t = timeArg(key, i[key], now);
    if (t !== undefined) f[key] = t;
  }
  if (i.branch) f.branch = i.branch;
  return f;
}

/** Where the text matched: the field and the line around it. */
function matchLocation(r: CommandRow, text: string, where: 'all' | 'command' | 'output'): { field: 'command' | 'output'; line: number; excerpt: string } | null {
  const needle = text.toLowerCase();
  if (where !== 'output' && r.command.toLowerCase().includes(needle)) return { field: 'command', line: 1, excerpt: r.command.split('\n')[0] };
  if (where === 'command') return null;
  const out = r.output;
  const at = out.toLowerCase().indexOf(needle);
  if (at < 0) return null;
  const start = out.lastIndexOf('\n', at) + 1;
  const endNl = out.indexOf('\n', at);
  const end = endNl < 0 ? out.length : endNl;
  let excerpt = out.slice(start, end);
  if (excerpt.length > 200) {
    const from = Math.max(0, at - start - 80);
    excerpt = (from > 0 ? '…' : '') + excerpt.slice(from, from + 200) + '…';
  }
  let line = 1;
  for (let i = out.indexOf('\n'); i >= 0 && i < at; i = out.indexOf('\n', i + 1)) line++;
  return { field: 'output', line, excerpt };
}

/** Notes are events of the timeline too (the note itself may have been removed since). */
const NOTE_EVENTS = ['note.added', 'note.done', 'chapter.started', 'forgot', 'approval.requested', 'approval.decided', 'agent.action'];

/** Agents' tools that act (their commands are in the trail already): shown in the timeline; reading tools are kept, not shown. */
/** Agents' tools that control the terminal or the services; their runs are in the trail as commands already. */
export const CONTROL_TOOLS = new Set(['send_keys', 'start_service', 'stop_service', 'restart_service']);

/** A service event as a person reads it in the timeline. */
function serviceEventText(kind: string, d: Record<string, unknown>): string {
  const secs = (ms: unknown) => `${(Number(ms) / 1000).toFixed(1)} s`;
  switch (kind) {
    case 'service.started':
      return `started (pid ${d.pid}${Number(d.restarts) ? `, restart ${d.restarts}` : ''})`;
    case 'service.ready':
      return `ready in ${secs(d.afterMs)}`;
    case 'service.exited':
      return d.code !== null ? `exited with code ${d.code}` : `ended by ${d.signal}`;
    case 'service.restarting':
      return `restarting in ${secs(d.inMs)} (restart ${d.restarts})`;
    case 'service.gave_up':
      return `gave up after ${d.restarts} restart(s)${Array.isArray(d.lastLines) && d.lastLines.length ? `: ${String(d.lastLines[d.lastLines.length - 1])}` : ''}`;
    case 'service.failed':
      return `failed: ${d.reason}`;
    case 'service.stopped':
      return `stopped by ${d.by}`;
    case 'service.orphans':
      return `left running by a killed daemon (pid ${d.pid}): stopped`;
    default:
      return kind;
  }
}

export const trailOps = [
  bind('trail.log', (ctx, i) => {
    const names = ctx.sessionNames();
    return ctx.commands.list(toFilter(ctx, i), i.limit).map((r) => commandView(r, names.get(r.session_id) ?? '?', false));
  }),
  bind('trail.count', (ctx, i) => ({ count: ctx.commands.count(toFilter(ctx, i)) })),
  bind('trail.pauses', (ctx, i) => {
    const names = ctx.sessionNames();
    const f = toFilter(ctx, { session: i.session });
    return ctx.manager.pauses(f.sessionIds).map((p) => ({ session: names.get(p.sessionId) ?? '?', terminal: p.terminal, from: p.from, to: p.to }));
  }),
  bind('trail.events', (ctx, i) => {
    const names = ctx.sessionNames();
    const f = toFilter(ctx, { session: i.session });
    const evs = ctx.manager.storedEvents([...SERVICE_EVENT_KINDS, ...NOTE_EVENTS], f.sessionIds, i.since);
    // "Ready" without a probe says nothing the start did not say.
    const shown = (e: (typeof evs)[number]) => {
      const d = JSON.parse(e.data ?? '{}') as { probe?: boolean; tool?: string; outcome?: string; detail?: string };
      if (e.kind === 'service.ready') return d.probe !== false;
      // Runs are in the trail as commands: shown here are keys and service control, and whatever the boundaries refused.
      if (e.kind === 'agent.action') return d.outcome === 'refused' || (d.outcome === 'ok' && CONTROL_TOOLS.has(d.tool ?? ''));
      return true;
    };
    return evs.filter(shown).map((e) => {
      const d = JSON.parse(e.data ?? '{}') as Record<string, unknown>;
      const session = names.get(e.session_id) ?? '?';
      if (e.kind === 'chapter.started') return { session, at: e.at, kind: e.kind, service: 'new chapter', text: String(d.title ?? '(no title)') };
      if (e.kind === 'forgot') return { session, at: e.at, kind: e.kind, service: 'forgot', text: `${d.commands} command(s), ${d.notes} note(s), ${d.lines} log line(s) (${d.how})` };
      if (e.kind === 'approval.requested') return { session, at: e.at, kind: e.kind, service: `approval #${d.id}`, text: `${e.actor ?? 'an agent'} asks to run \`${String(d.command)}\` (${(d.reasons as string[])[0] ?? ''}): trail approve ${d.id}` };
      if (e.kind === 'approval.decided') return { session, at: e.at, kind: e.kind, service: `approval #${d.id}`, text: `${String(d.state)}${d.by ? ` by ${d.by}` : ''}: \`${String(d.command)}\`` };
      if (e.kind === 'agent.action') return { session, at: e.at, kind: e.kind, service: e.actor ?? 'agent', text: `${String(d.tool)} ${String(d.args)}${d.outcome === 'refused' ? ` → refused: ${String(d.detail ?? '')}` : ''}` };
      if (e.kind.startsWith('note.'))
        return { session, at: e.at, kind: e.kind, service: `note #${d.id}`, text: e.kind === 'note.done' ? `done: ${String(d.text)}` : `${String(d.text)}${e.actor ? ` (${e.actor})` : ''}` };
      return { session, at: e.at, kind: e.kind, service: String(d.service ?? '?'), text: serviceEventText(e.kind, d) };
    });
  }),
  bind('command.show', (ctx, i) => {
    const r = ctx.commands.get(i.id);
    if (!r) throw new TrailError('not_found', `no command with id ${i.id} (trail log lists them)`);
    return commandView(r, ctx.sessionNames().get(r.session_id) ?? '?', true);
  }),
  bind('command.search', async (ctx, i) => {
    const filter = toFilter(ctx, i);
    const rows = await ctx.searcher.search({ text: i.text, filter, limit: i.limit, field: i.in });
    const names = ctx.sessionNames();
    return rows.map((r) => ({
      ...commandView(r, names.get(r.session_id) ?? '?', false),
      match: matchLocation(r, i.text, i.in),
    }));
  }),
  bind('trail.import', (ctx, i) => {
    const added = ctx.health.attempt(`importing ${i.entries.length} command(s) from ${i.source}`, () =>
      ctx.commands.importMany(
        i.source,
        // Redacted like everything else written: a history file holds tokens people typed.
        i.entries.map((e) => ({
          command: redact(e.command, ctx.secrets),
          started_at: e.startedAt,
          duration_ms: e.durationMs,
          exit_code: e.exitCode,
          cwd: e.cwd === null ? null : redact(e.cwd, ctx.secrets),
          host: e.host === null ? null : redact(e.host, ctx.secrets),
          import_key: `${i.source}:${e.key}`,
        })),
      ),
    );
    if (added === null) throw new TrailError('unavailable', `the store could not take the import: ${ctx.health.view().lastError ?? 'write failed'}`);
    return { added, skipped: i.entries.length - added };
  }),
  bind('command.last', (ctx, i) => {
    const r = ctx.commands.last(toFilter(ctx, i));
    if (!r) throw new TrailError('not_found', i.failed ? 'no failed command in the trail' : 'no command in the trail yet');
    return commandView(r, ctx.sessionNames().get(r.session_id) ?? '?', true);
  }),
];
