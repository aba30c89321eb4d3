// Operations on a session's services (issue 10).
import { bind } from './define.js';
import { TrailError } from '../common/errors.js';
import { timeArg } from './time-arg.js';
import { ServiceConfigError } from '../daemon/service-config.js';
import type { ApiContext } from './context.js';
import { allow } from './agents.js';

/**
 * The session's services, its file read again. A file that is not right is
 * the one clear error, or, for reading (lenient), a warning beside what runs.
 */
/** A service file's problems with what came of them: after the one, or above the many (each on its line, as a compiler says them). */
function saying(e: ServiceConfigError, outcome: string): string {
  const lines = e.message.split('\n');
  return lines.length === 1 ? `${e.message} (${outcome})` : `${lines.length} problems in the service file (${outcome}):\n${e.message}`;
}

function servicesOf(ctx: ApiContext, name: string, lenient = false) {
  const s = ctx.manager.get(name);
  const svc = ctx.services.of(s);
  let problem: string | null = null;
  try {
    svc.load();
  } catch (e) {
    if (!(e instanceof ServiceConfigError)) throw e;
    if (!lenient) throw new TrailError('invalid', saying(e, 'nothing was started or stopped'));
    problem = saying(e, 'the services run on as they were');
  }
  return { session: s, svc, problem };
}

function known(svc: ReturnType<typeof servicesOf>['svc'], names: string[]): void {
  const have = new Set(svc.list(false).map((x) => x.name));
  for (const n of names)
    if (!have.has(n)) throw new TrailError('not_found', `no service named ${n}${have.size ? `; services: ${[...have].join(', ')}` : ' (no trail.yaml or Procfile in the session directory)'}`);
}

export const serviceOps = [
  bind('svc.list', (ctx, i) => {
    const { session, svc, problem } = servicesOf(ctx, i.session, true);
    const f = svc.source;
    return { dir: session.dir, file: f?.file ?? null, kind: f?.kind ?? null, warnings: [...(problem ? [problem] : []), ...(f?.warnings ?? [])], services: svc.list(i.ports) };
  }),
  bind('svc.up', (ctx, i) => {
    const { session, svc } = servicesOf(ctx, i.session);
    allow(ctx, session, i.actor, 'run');
    if (!svc.source) throw new TrailError('not_found', `no trail.yaml or Procfile in ${session.dir}: nothing to start`);
    known(svc, i.names);
    return { starting: svc.up(i.names), warnings: svc.source?.warnings ?? [] };
  }),
  bind('svc.down', async (ctx, i) => {
    const { session, svc } = servicesOf(ctx, i.session);
    allow(ctx, session, i.actor, 'run');
    known(svc, i.names);
    return { stopped: await svc.down(i.names, i.by) };
  }),
  bind('svc.reload', async (ctx, i) => {
    const s = ctx.manager.get(i.session);
    try {
      return await ctx.services.of(s).reload('trail svc reload');
    } catch (e) {
      if (e instanceof ServiceConfigError) throw new TrailError('invalid', saying(e, 'the services run on as they were'));
      throw e;
    }
  }),
  bind('svc.search', async (ctx, i) => {
    const names = ctx.sessionNames();
    const ids = i.session === undefined ? undefined : [ctx.manager.get(i.session).id];
    const since = timeArg('since', i.since, ctx.now());
    await ctx.services.flushed();
    // In the search process: a gigabyte of logs never holds up the daemon.
    const rows = await ctx.searcher.searchLogs(i.text, { sessionIds: ids, service: i.svc, since, limit: i.limit });
    return rows.map((r) => ({
      id: r.id, at: r.at, stream: r.stream, line: r.line, raw: r.raw, session: names.get(r.session_id) ?? '?', service: r.service,
    }));
  }),
  bind('svc.logs', async (ctx, i) => {
    const { session, svc } = servicesOf(ctx, i.session, true);
    known(svc, [i.name]);
    await ctx.services.flushed();
    const since = timeArg('since', i.since, ctx.now());
    return ctx.services.lines(session.id, i.name, { limit: i.limit, afterId: i.afterId, since, contains: i.grep, stream: i.stream });
  }),
];
