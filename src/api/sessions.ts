// Operations on sessions, terminals and the daemon itself.
import { z } from 'zod';
import { relayMode } from '../platform/relay.js';
import { resolve } from 'node:path';
import { gitRoot } from '../daemon/git.js';
import { defineOp } from './define.js';
import { sessionView, terminalView } from './views.js';
import { nameFromDir } from '../common/names.js';
import { TrailError } from '../common/errors.js';

const termSpec = {
  command: z.array(z.string()).min(1).optional(),
  shell: z.string().optional(),
  cols: z.number().int().min(2).max(1000).optional(),
  rows: z.number().int().min(1).max(1000).optional(),
};

export const sessionOps = [
  defineOp({
    name: 'daemon.status',
    summary: 'the running daemon: pid, version, state dir, sessions',
    input: z.object({}),
    handler: (ctx) => ({
      pid: process.pid,
      version: ctx.version,
      home: ctx.paths.home,
      startedAt: ctx.startedAt,
      sessions: ctx.manager.list().length,
      terminals: ctx.manager.list().reduce((n, s) => n + s.terminals.length, 0),
      rss: process.memoryUsage().rss,
      relay: relayMode(),
      recording: ctx.health.view(),
    }),
  }),
  defineOp({
    name: 'daemon.stop',
    summary: 'stop the daemon (its terminals end); refused without force while clients are attached or commands run',
    input: z.object({ force: z.boolean().default(false) }),
    handler: (ctx, i) => {
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
    },
  }),
  defineOp({
    name: 'session.list',
    summary: 'all sessions',
    input: z.object({}),
    handler: (ctx) => ctx.manager.list().map(sessionView),
  }),
  defineOp({
    name: 'session.current',
    summary: "the session a command means when it names none: the one its terminal runs in (by the terminal's id, so a rename is seen), else the one for its directory",
    input: z.object({ terminal: z.string().optional(), dir: z.string().optional() }),
    handler: (ctx, i) => {
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
    },
  }),
  defineOp({
    name: 'session.new',
    summary: 'create a session bound to a directory',
    input: z.object({ name: z.string().optional(), dir: z.string(), ...termSpec }),
    handler: (ctx, i) => {
      const dir = resolve(i.dir);
      const s = ctx.manager.create(i.name ?? nameFromDir(gitRoot(dir) ?? dir), dir, i);
      return sessionView(s);
    },
  }),
  defineOp({
    name: 'session.ensure',
    summary: 'the session for a directory (its git root), created if missing',
    input: z.object({ dir: z.string(), ...termSpec }),
    handler: (ctx, i) => {
      const root = gitRoot(resolve(i.dir)) ?? resolve(i.dir);
      const { session, created } = ctx.manager.ensureForDir(root, nameFromDir(root), i);
      return { ...sessionView(session), created };
    },
  }),
  defineOp({
    name: 'session.kill',
    summary: 'end a session and its terminals (its trail is kept)',
    input: z.object({ name: z.string() }),
    handler: (ctx, i) => {
      ctx.manager.kill(i.name);
      return { killed: i.name };
    },
  }),
  defineOp({
    name: 'session.rename',
    summary: 'rename a session',
    input: z.object({ from: z.string(), to: z.string() }),
    handler: (ctx, i) => sessionView(ctx.manager.rename(i.from, i.to)),
  }),
  defineOp({
    name: 'term.new',
    summary: 'start another terminal in a session',
    input: z.object({ session: z.string(), ...termSpec }),
    handler: (ctx, i) => {
      const s = ctx.manager.get(i.session);
      return terminalView(s, ctx.manager.newTerminal(s, i));
    },
  }),
  defineOp({
    name: 'term.list',
    summary: "a session's terminals",
    input: z.object({ session: z.string() }),
    handler: (ctx, i) => {
      const s = ctx.manager.get(i.session);
      return s.terminals.map((t) => terminalView(s, t));
    },
  }),
  defineOp({
    name: 'term.recording',
    summary: 'stop (trail off) or restart (trail on) recording one terminal',
    input: z.object({ terminal: z.string(), on: z.boolean() }),
    handler: (ctx, i) => {
      const { session, terminal } = ctx.manager.terminalById(i.terminal);
      const changed = ctx.manager.setRecording(session, terminal, i.on);
      return { session: session.name, terminal: terminal.index, recording: i.on, changed };
    },
  }),
  defineOp({
    name: 'term.kill',
    summary: 'end one terminal of a session',
    input: z.object({ session: z.string(), terminal: z.string() }),
    handler: (ctx, i) => {
      const s = ctx.manager.get(i.session);
      const t = ctx.manager.terminal(s, i.terminal);
      t.kill();
      return { killed: t.id };
    },
  }),
];
