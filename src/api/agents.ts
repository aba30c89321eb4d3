// What an agent may do in a session beyond reading, inside the policy the
// person sets (`trail policy SESSION read|notes|run`; never settable by an
// agent through any tool). Commands run in the session's agent terminal (made
// on demand, a terminal like any other: the person can attach and watch) or
// in a named terminal at its prompt. A run returns a handle (the command's id
// in the trail) at once; waiting is bounded. Exit codes come from the shell
// integration's marks, never from markers typed around the command.
import { bind } from './define.js';
import { TrailError } from '../common/errors.js';
import { commandView } from './views.js';
import type { ApiContext } from './context.js';
import type { Session } from '../daemon/sessions.js';
import type { Terminal } from '../daemon/terminal.js';

const LEVELS = ['read', 'notes', 'run'] as const;
type Level = (typeof LEVELS)[number];

/** An agent's call is refused unless the person allowed this much in the session; the person's own calls are theirs. */
export function allow(ctx: ApiContext, s: Session, actor: string, need: Level): void {
  if (!actor.startsWith('agent:')) return;
  const has = ctx.notes.policy(s.id);
  if (LEVELS.indexOf(has) < LEVELS.indexOf(need))
    throw new TrailError('invalid', `session ${s.name} allows agents to ${has === 'read' ? 'read only' : 'read and leave notes'}; the person can allow more with: trail policy ${s.name} ${need}`);
}

/** Each session's agent terminal, by session id (made again after it exits). */
const agentTerminals = new Map<string, string>();

function agentTerminal(ctx: ApiContext, s: Session, actor: string): Terminal {
  const id = agentTerminals.get(s.id);
  const live = id ? s.terminals.find((t) => t.id === id && !t.exited) : undefined;
  if (live) return live;
  // Its commands are the agent's in the trail; its screen says whose it is to whoever attaches.
  const t = ctx.manager.newTerminal(s, { cols: 120, rows: 40, actor, banner: `[trail: the terminal of ${actor}; what it runs is typed here and kept in the trail]` });
  agentTerminals.set(s.id, t.id);
  return t;
}

function terminalOf(ctx: ApiContext, s: Session, ref: string | undefined, actor: string): Terminal {
  return ref === undefined ? agentTerminal(ctx, s, actor) : ctx.manager.terminal(s, ref);
}

/** Named keys an agent may send: Ctrl-C arrives as Ctrl-C, never as the text "C-c". */
export const KEYS: Record<string, string> = {
  Enter: '\r', Tab: '\t', Escape: '\x1b', Backspace: '\x7f', Space: ' ',
  Up: '\x1b[A', Down: '\x1b[B', Right: '\x1b[C', Left: '\x1b[D', Home: '\x1b[H', End: '\x1b[F', PageUp: '\x1b[5~', PageDown: '\x1b[6~',
  'C-c': '\x03', 'C-d': '\x04', 'C-z': '\x1a', 'C-l': '\x0c', 'C-a': '\x01', 'C-e': '\x05', 'C-u': '\x15', 'C-r': '\x12',
};

export const agentOps = [
  bind('session.policy', (ctx, i) => {
    const s = ctx.manager.get(i.session);
    if (i.level !== undefined) {
      if (i.actor.startsWith('agent:')) throw new TrailError('invalid', 'an agent cannot change what it may do: the person sets it with trail policy');
      ctx.notes.setPolicy(s.id, i.level);
    }
    return { session: s.name, level: ctx.notes.policy(s.id) };
  }),
  bind('terminal.run', async (ctx, i) => {
    const s = ctx.manager.get(i.session);
    allow(ctx, s, i.actor, 'run');
    if (/[\r\n]/.test(i.command)) throw new TrailError('invalid', 'one command line: no newlines (run them one after the other, or join them with ;)');
    const t = terminalOf(ctx, s, i.terminal, i.actor);
    const busy = t.runningCommand;
    if (busy) throw new TrailError('invalid', `terminal ${t.index} of ${s.name} is running \`${busy.command.split('\n')[0].slice(0, 80)}\`: wait for it, or send keys (C-c) to stop it`);
    if (t.shellKind === null) throw new TrailError('invalid', `terminal ${t.index} runs ${t.command[0]}, which has no trail integration: its commands cannot be followed`);
    // The command's record, once the shell says it started (its start mark).
    const started = new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => (stop(), resolve(null)), 10_000);
      const stop = ctx.manager.events.on(['command.started'], (e) => {
        if (e.terminalId !== t.id) return;
        clearTimeout(timer);
        stop();
        resolve(e.data.id);
      });
    });
    t.write(Buffer.from(i.command + '\r'));
    const id = await started;
    if (id === null) throw new TrailError('unavailable', `the command was typed into terminal ${t.index} of ${s.name} but did not start within 10 s (read its screen to see why)`);
    return { handle: id, terminal: t.index };
  }),
  bind('command.wait', async (ctx, i) => {
    const row = ctx.commands.get(i.id);
    if (!row) throw new TrailError('not_found', `no command ${i.id}`);
    const s = ctx.manager.find(ctx.sessionNames().get(row.session_id) ?? '');
    if (row.ended_at === null && s) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => (stop(), resolve()), i.timeoutMs);
        const stop = ctx.manager.events.on(['command.ended'], (e) => {
          if (e.data.id !== i.id) return;
          clearTimeout(timer);
          stop();
          resolve();
        });
        // It may have ended between the read and the subscription.
        if (ctx.commands.get(i.id)?.ended_at !== null) (clearTimeout(timer), stop(), resolve());
      });
    }
    const now = ctx.commands.get(i.id)!;
    return { done: now.ended_at !== null, command: commandView(now, ctx.sessionNames().get(now.session_id) ?? '?', true) };
  }),
  bind('terminal.keys', (ctx, i) => {
    const s = ctx.manager.get(i.session);
    allow(ctx, s, i.actor, 'run');
    const t = terminalOf(ctx, s, i.terminal, i.actor);
    let data = i.text ?? '';
    for (const k of i.keys) {
      const b = KEYS[k];
      if (b === undefined) throw new TrailError('invalid', `no key named ${k}; keys: ${Object.keys(KEYS).join(' ')}`);
      data += b;
    }
    if (i.enter) data += '\r';
    if (!data) throw new TrailError('invalid', 'nothing to send: give text, keys, or both');
    t.write(Buffer.from(data));
    return { terminal: t.index, bytes: Buffer.byteLength(data) };
  }),
  bind('terminal.screen', async (ctx, i) => {
    const s = ctx.manager.get(i.session);
    const t = i.terminal === undefined ? (s.terminals.find((x) => x.id === agentTerminals.get(s.id) && !x.exited) ?? ctx.manager.terminal(s)) : ctx.manager.terminal(s, i.terminal);
    const text = (await t.mirror.screenText()).replace(/\s+$/, '');
    const running = t.runningCommand;
    return { terminal: t.index, text, running: running ? { id: running.id, command: running.command, startedAt: running.startedAt } : null };
  }),
];
