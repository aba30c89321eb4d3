// Operations on sessions, terminals and the daemon itself.
import { personOnly } from './agents.js';
import { relayMode } from '../platform/relay.js';
import { resolve } from 'node:path';
import { gitRoot } from '../daemon/git.js';
import { bind } from './define.js';
import { sessionView, terminalView } from './views.js';
import { nameFromDir } from '../common/names.js';
import { TrailError } from '../common/errors.js';
import { storeSizes } from '../store/retention.js';
import type { ApiContext } from './context.js';

/** The store's sizes, looked at once a minute at most (dbstat walks every page). */
let sizes: { at: number; value: ReturnType<typeof storeSizes> } | null = null;
function storeSizesCached(ctx: ApiContext) {
  if (!ctx.db) return null;
  if (!sizes || ctx.now() - sizes.at > 60_000) sizes = { at: ctx.now(), value: storeSizes(ctx.db) };
  return sizes.value;
}

export const sessionOps = [
  bind('daemon.status', (ctx) => ({
    pid: process.pid,
    version: ctx.version,
    home: ctx.paths.home,
    startedAt: ctx.startedAt,
    sessions: ctx.manager.list().length,
    terminals: ctx.manager.list().reduce((n, s) => n + s.terminals.length, 0),
    rss: process.memoryUsage().rss,
    relay: relayMode(),
    recording: ctx.health.view(),
    store: storeSizesCached(ctx),
    mcpUrl: ctx.http.url ? `${ctx.http.url}/mcp` : null,
    httpProblem: ctx.http.problem,
  })),
  bind('daemon.stop', (ctx, i, caller) => {
    personOnly(ctx, '', caller, 'stop the daemon');
    const stake = ctx.manager.atStake();
    if (!i.force && (stake.clients > 0 || stake.running.length > 0)) {
      const what = [
        stake.clients ? `${stake.clients} client(s) attached` : '',
        ...stake.running.slice(0, 3).map((r) => `\`${r.command.split('\n')[0].slice(0, 60)}\` running in ${r.session}:${r.terminal}`),
        stake.running.length > 3 ? `${stake.running.length - 3} more command(s) running` : '',
      ].filter(Boolean);
      throw new TrailError(
        'invalid',
        `stopping the daemon would end ${stake.terminals} shell(s) (${what.join('; ')}); trail daemon stop --force stops it anyway`,
      );
    }
    setTimeout(() => ctx.stop(), 50);
    return { stopping: true, pid: process.pid, terminals: stake.terminals, running: stake.running };
  }),
  bind('session.list', (ctx) => ctx.manager.list().map(sessionView)),
  bind('session.current', (ctx, i) => {
    if (i.terminal) {
      try {
        return { name: ctx.manager.terminalById(i.terminal).session.name };
      } catch {
        /* an old shell of a session since killed: go by the directory */
      }
    }
    if (i.dir) {
      const root = gitRoot(resolve(i.dir)) ?? resolve(i.dir);
      const s = ctx.manager.list().find((x) => x.dir === root);
      if (s) return { name: s.name };
    }
    return { name: null };
  }),
  bind('session.new', (ctx, i) => {
    const dir = resolve(i.dir);
    const s = ctx.manager.create(i.name ?? nameFromDir(gitRoot(dir) ?? dir), dir, i);
    return sessionView(s);
  }),
  bind('session.ensure', (ctx, i) => {
    const root = gitRoot(resolve(i.dir)) ?? resolve(i.dir);
    const { session, created } = ctx.manager.ensureForDir(root, nameFromDir(root), i);
    return { ...sessionView(session), created };
  }),
  bind('session.kill', (ctx, i) => {
    ctx.manager.kill(i.name);
    return { killed: i.name };
  }),
  bind('session.rename', (ctx, i) => sessionView(ctx.manager.rename(i.from, i.to))),
  bind('term.new', (ctx, i) => {
    const s = ctx.manager.get(i.session);
    return terminalView(s, ctx.manager.newTerminal(s, i));
  }),
  bind('term.list', (ctx, i) => {
    const s = ctx.manager.get(i.session);
    return s.terminals.map((t) => terminalView(s, t));
  }),
  bind('term.recording', (ctx, i, caller) => {
    personOnly(ctx, '', caller, 'pause or resume recording');
    const { session, terminal } = ctx.manager.terminalById(i.terminal);
    const changed = ctx.manager.setRecording(session, terminal, i.on);
    return { session: session.name, terminal: terminal.index, recording: i.on, changed };
  }),
  bind('term.kill', (ctx, i) => {
    const s = ctx.manager.get(i.session);
    const t = ctx.manager.terminal(s, i.terminal);
    t.kill();
    return { killed: t.id };
  }),
];
