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
import type { ApiContext, Caller } from './context.js';
import { lineage } from '../platform/proc.js';
import type { Session } from '../daemon/sessions.js';
import type { Terminal } from '../daemon/terminal.js';
import { gitHead } from '../daemon/git.js';
import { redact } from '../common/redact.js';
import { stripAnsi } from '../common/ansi.js';
import { DEFAULT_RULES, PROTECTED_RULES, compileRule, judge, judgeInput, runsInterpreter, type Rule } from '../common/shell-check.js';
import type { ApprovalRow } from '../store/policy.js';
import { LEVELS, type AgentLevel as Level, type ApprovalView } from '../contract/ops.js';
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';


/** An agent's call is refused unless the person allowed this much in the session; the person's own calls are theirs. */
export function allow(ctx: ApiContext, s: Session, actor: string, need: Level): void {
  if (!actor.startsWith('agent:')) return;
  const has = ctx.notes.policy(s.id);
  if (LEVELS.indexOf(has) < LEVELS.indexOf(need))
    throw new TrailError('forbidden', `session ${s.name} allows agents to ${has === 'read' ? 'read only' : 'read and leave notes'}; the person can allow more with: trail policy ${s.name} ${need}`);
}

/**
 * The person's own calls: an agent's are refused (approvals, rules, tokens
 * are the person's). Who calls is not only what the caller says (an agent can
 * unset TRAIL_ACTOR): a process that runs inside an agent's terminal (its shell
 * is an ancestor, or leads its session) is that agent's.
 */
export function personOnly(ctx: ApiContext, actor: string, caller: Caller, what: string): void {
  if (actor.startsWith('agent:')) throw new TrailError('forbidden', `an agent cannot ${what}: that is the person's to do`);
  if (!caller.pid) return;
  const agentShells = new Map<number, string>();
  for (const s of ctx.manager.list()) for (const t of s.terminals) if (t.actor.startsWith('agent:') && !t.exited) agentShells.set(t.pid, t.actor);
  if (!agentShells.size) return;
  const { ancestors, sessions } = lineage(caller.pid);
  const inside = [caller.pid, ...ancestors, ...sessions].find((p) => agentShells.has(p));
  if (inside !== undefined) throw new TrailError('forbidden', `an agent cannot ${what}: this runs inside the terminal of ${agentShells.get(inside)}, and that is the person's to do`);
}

/** The most of a hook-reported command's output kept (its head and tail beyond it). */
const RECORD_MAX = 1_000_000;

/** How long an approval waits for the person. */
const APPROVAL_MS = 10 * 60_000;

/** The rules in force in a session: trail's defaults (unless the person set that pattern) and the person's. */
export function rulesOf(ctx: ApiContext, s: Session): (Rule & { default: boolean })[] {
  const own = ctx.policy.rules(s.id);
  const mine = new Set(own.map((r) => r.pattern));
  return [
    ...PROTECTED_RULES.map((r) => ({ ...r, default: true })),
    ...DEFAULT_RULES.filter((r) => !mine.has(r.pattern)).map((r) => ({ ...r, default: true })),
    ...own.filter((r) => !PROTECTED_RULES.some((p) => p.pattern === r.pattern)).map((r) => ({ action: r.action, pattern: r.pattern, default: false })),
  ];
}

function approvalView(ctx: ApiContext, a: ApprovalRow): ApprovalView {
  return {
    id: a.id,
    session: ctx.sessionNames().get(a.session_id) ?? '?',
    actor: a.actor,
    command: a.command,
    reasons: JSON.parse(a.reasons) as string[],
    state: a.state === 'pending' && a.expires_at <= ctx.now() ? 'expired' : a.state,
    createdAt: a.created_at,
    expiresAt: a.expires_at,
    decidedBy: a.decided_by,
    handle: a.handle,
  };
}

/** Types a command at a terminal's prompt and waits (10 s at most) for the shell to say it started: its id. */
async function typeCommand(ctx: ApiContext, s: Session, t: Terminal, command: string, actor: string): Promise<number> {
  const busy = t.runningCommand;
  if (busy) throw new TrailError('invalid', `terminal ${t.index} of ${s.name} is running \`${busy.command.split('\n')[0].slice(0, 80)}\`: wait for it, or send keys (C-c) to stop it`);
  if (t.shellKind === null) throw new TrailError('invalid', `terminal ${t.index} runs ${t.command[0]}, which has no trail integration: its commands cannot be followed`);
  let stopWaiting = () => {};
  const started = new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => (stop(), resolve(null)), 10_000);
    const stop = ctx.manager.events.on(['command.started'], (e) => {
      if (e.terminalId !== t.id) return;
      clearTimeout(timer);
      stop();
      resolve(e.data.id);
    });
    stopWaiting = () => (clearTimeout(timer), stop());
  });
  // Whatever is already on the prompt line would become part of this command: the line must be empty.
  // What an agent typed is known at once; what the screen shows covers the rest (the person's keys, typeahead).
  const pending = typed.get(t.id);
  // Keys the agent just sent (C-u) are read from the screen once the shell has answered them, not before.
  const onPrompt = pending && (pending.line || pending.unknown) ? pending.line || '(edited with keys)' : await t.promptText(3000, pending?.at ?? 0);
  if (onPrompt === null) {
    stopWaiting();
    throw new TrailError('unavailable', `not run: terminal ${t.index} of ${s.name} shows no prompt (read its screen to see what it waits for)`);
  }
  if (onPrompt) {
    stopWaiting();
    // The agent's own keys it may clear; text it did not type is someone's typing (the person's), not its to erase.
    const own = (pending && (pending.line || pending.unknown)) || t.actor.startsWith('agent:');
    const mend = own ? 'clear it (send_keys C-u, or C-c)' : 'someone is typing there: run it in your own terminal (leave out terminal), or ask the person';
    throw new TrailError('invalid', `not run: the prompt of terminal ${t.index} of ${s.name} already has text on it (${JSON.stringify(onPrompt.slice(0, 60))}), which would run in front of the command: ${mend}`);
  }
  t.typeCommand(command, actor);
  const id = await started;
  if (id === null) {
    t.forgetTyped();
    // Not started (a line that continues, a prompt that did not come back): nothing of it may wait to join the next command.
    t.write(Buffer.from('\x03'));
    typed.delete(t.id);
    throw new TrailError('unavailable', `the command was typed into terminal ${t.index} of ${s.name} but did not start within 10 s, and was cancelled with C-c (read its screen to see why)`);
  }
  return id;
}

/** Waits up to timeoutMs for a command to end: it, and whether it is done. */
async function waitEnded(ctx: ApiContext, id: number, timeoutMs: number) {
  const row = ctx.commands.get(id);
  if (!row) throw new TrailError('not_found', `no command ${id}`);
  const s = ctx.manager.find(ctx.sessionNames().get(row.session_id) ?? '');
  if (row.ended_at === null && s && timeoutMs > 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => (stop(), resolve()), timeoutMs);
      const stop = ctx.manager.events.on(['command.ended'], (e) => {
        if (e.data.id !== id) return;
        clearTimeout(timer);
        stop();
        resolve();
      });
      // It may have ended between the read and the subscription.
      if (ctx.commands.get(id)?.ended_at !== null) (clearTimeout(timer), stop(), resolve());
    });
  }
  const now = ctx.commands.get(id)!;
  return { done: now.ended_at !== null, command: commandView(now, ctx.sessionNames().get(now.session_id) ?? '?', true) };
}

/** Text an agent typed at each terminal since its last Enter, whether keys (history, completion) made the line unknown, and when (performance.now()). */
const typed = new Map<string, { line: string; unknown: boolean; at: number }>();

// Keys that make the line at a prompt something other than what was typed: history, completion, moving the cursor.
const UNKNOWING = new Set(['Up', 'Down', 'Tab', 'C-r', 'C-p', 'C-n', 'C-y', 'Left', 'Right', 'Home', 'End', 'C-a', 'C-e']);

/**
 * Keys are a way to run a command too: each line an agent's keys would
 * submit (with Enter) is judged like terminal.run, and refused rather than
 * typed when a rule denies it or wants the person (run_command asks them).
 * At a shell prompt, history and completion keys make the line unknown.
 * Nothing is typed when any line of the call is refused.
 */
function checkTyped(ctx: ApiContext, s: Session, t: Terminal, text: string, keys: string[], enter: boolean): void {
  const was = typed.get(t.id) ?? { line: '', unknown: false, at: 0 };
  let { line, unknown } = was;
  const running = t.runningCommand;
  const atPrompt = running === null && t.shellKind !== null;
  // A shell or an interpreter started in the terminal reads lines too: history and cursor keys there are as unknown as at the prompt.
  const lineEditor = atPrompt || (running !== null && runsInterpreter(running.command));
  const lines: { line: string; unknown: boolean }[] = [];
  const feed = (chunk: string) => {
    for (const ch of chunk) {
      if (ch === '\r' || ch === '\n') {
        // A line ending in a backslash goes on: the next line joins it.
        if (/(^|[^\\])(\\\\)*\\$/.test(line)) {
          line = line.slice(0, -1);
          continue;
        }
        lines.push({ line, unknown });
        line = '';
        unknown = false;
      } else if (ch === '\x03' || ch === '\x15' || ch === '\x04') {
        line = '';
        unknown = false;
      } else if (ch === '\x7f' || ch === '\b') line = line.slice(0, -1);
      else if (ch < ' ') unknown ||= lineEditor; // Tab completes; escape sequences move the cursor and recall history
      else line += ch;
    }
  };
  feed(text);
  for (const k of keys) {
    if (UNKNOWING.has(k)) unknown ||= lineEditor;
    else feed(KEYS[k]);
  }
  if (enter) feed('\r');
  const rules = rulesOf(ctx, s);
  for (const l of lines) {
    if (!l.line.trim() && !l.unknown) continue;
    const v =
      l.unknown && rules.some((r) => r.action !== 'allow')
        ? { action: 'confirm' as const, reasons: ['the line was changed by history, completion or editing keys, so it cannot be checked'] }
        : atPrompt
          ? judge(l.line, rules)
          : judgeInput(l.line, rules);
    if (v.action === 'deny') throw new TrailError('forbidden', `not sent: ${v.reasons.join('; ')} (the person's rules: trail policy ${s.name})`);
    if (v.action === 'confirm') throw new TrailError('forbidden', `not sent: ${v.reasons.join('; ')}; run it with run_command, which asks the person`);
  }
  typed.set(t.id, { line, unknown, at: performance.now() });
}

/** The screen's rows and, above them, up to `scrollback` lines that scrolled off it. */
async function tailWithScreen(t: Terminal, scrollback: number): Promise<string> {
  const [all, screen] = await Promise.all([t.mirror.allText(), t.mirror.screenText()]);
  const lines = all.split('\n');
  return lines.slice(-(scrollback + screen.split('\n').length)).join('\n');
}

/** This agent's terminal in the session (one per agent, made on demand, made again after it exits). */
function agentTerminal(ctx: ApiContext, s: Session, actor: string): Terminal {
  const live = s.terminals.find((t) => t.actor === actor && !t.exited);
  if (live) return live;
  // Its commands are this agent's in the trail; its screen says whose it is to whoever attaches.
  return ctx.manager.newTerminal(s, { cols: 120, rows: 40, actor, banner: `[trail: the terminal of ${actor}; what it runs is typed here and kept in the trail]` });
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

/** A token as kept: its SHA-256 (a token is 192 random bits: no salt or slow hash needed). */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Approvals whose command is being typed now (a second decision must not type it again). */
const deciding = new Set<number>();

/** Says when an approval is decided, to whoever waits on it. */
const decided = new EventEmitter();
decided.setMaxListeners(0);

export const agentOps = [
  bind('session.policy', (ctx, i, caller) => {
    const s = ctx.manager.get(i.session);
    const changes = i.level !== undefined || i.allow.length + i.confirm.length + i.deny.length + i.remove.length > 0;
    if (changes) {
      personOnly(ctx, i.actor, caller, 'change what it may do (the person sets it with trail policy)');
      for (const p of [...i.allow, ...i.confirm, ...i.deny]) {
        try {
          compileRule(p);
        } catch (e) {
          throw new TrailError('invalid', (e as Error).message);
        }
      }
      for (const p of i.remove) if (PROTECTED_RULES.some((r) => r.pattern === p)) throw new TrailError('invalid', `"${p}" is trail's own boundary (an agent must not approve its own commands or change its policy): it cannot be removed`);
      for (const p of i.remove) {
        if (!ctx.policy.removeRule(s.id, p)) {
          const isDefault = DEFAULT_RULES.some((r) => r.pattern === p);
          throw new TrailError('invalid', isDefault ? `"${p}" is one of trail's default rules: allow it instead (trail policy ${s.name} --allow '${p}')` : `no rule "${p}" in ${s.name} (trail policy ${s.name} lists them)`);
        }
      }
      const at = ctx.now();
      for (const [action, list] of [['allow', i.allow], ['confirm', i.confirm], ['deny', i.deny]] as const) for (const p of list) ctx.policy.setRule(s.id, action, p.trim(), at);
      if (i.level !== undefined && i.level !== ctx.notes.policy(s.id)) {
        ctx.notes.setPolicy(s.id, i.level);
        // Connected agents' tool lists follow (trail mcp watches this).
        ctx.manager.events.emit({ kind: 'policy.changed', sessionId: s.id, terminalId: null, at: ctx.now(), actor: i.actor, data: { level: i.level } });
      }
    }
    return { session: s.name, level: ctx.notes.policy(s.id), rules: rulesOf(ctx, s) };
  }),
  bind('terminal.run', async (ctx, i) => {
    const s = ctx.manager.get(i.session);
    allow(ctx, s, i.actor, 'run');
    if (/[\r\n]/.test(i.command)) throw new TrailError('invalid', 'one command line: no newlines (run them one after the other, or join them with ;)');
    // Control characters are keys to the shell's line editor (C-a moves to the start, Tab completes, NUL is dropped): text only.
    if (/[\x00-\x1f\x7f]/.test(i.command)) throw new TrailError('invalid', 'one command line of text: no control characters (send keys with send_keys)');
    const t = terminalOf(ctx, s, i.terminal, i.actor);
    // The caller's picture of the terminal, checked before anything is typed.
    if (i.expect) {
      const cwd = t.currentCwd;
      const branch = gitHead(cwd)?.branch ?? null;
      const drift: string[] = [];
      if (i.expect.cwd !== undefined && i.expect.cwd.replace(/\/+$/, '') !== cwd.replace(/\/+$/, '')) drift.push(`the directory is ${cwd}, not ${i.expect.cwd}`);
      if (i.expect.branch !== undefined && i.expect.branch !== branch) drift.push(`the branch is ${branch ?? '(none: not in a git work tree)'}, not ${i.expect.branch}`);
      if (drift.length) throw new TrailError('conflict', `not run: terminal ${t.index} of ${s.name} has moved on: ${drift.join('; ')}`);
    }
    if (i.actor.startsWith('agent:')) {
      const v = judge(i.command, rulesOf(ctx, s));
      if (v.action === 'deny') throw new TrailError('forbidden', `not run: ${v.reasons.join('; ')} (the person's rules: trail policy ${s.name})`);
      if (v.action === 'confirm') {
        const now = ctx.now();
        const id = ctx.policy.addApproval({ session_id: s.id, actor: i.actor, command: i.command, terminal: i.terminal === undefined ? null : t.id, reasons: JSON.stringify(v.reasons), created_at: now, expires_at: now + APPROVAL_MS });
        ctx.manager.events.emit({ kind: 'approval.requested', sessionId: s.id, terminalId: t.id, at: now, actor: i.actor, data: { id, command: i.command, reasons: v.reasons } });
        ctx.manager.noticeSession(s, `trail approve ${id} / trail deny ${id}: ${i.actor} asks to run \`${i.command.slice(0, 80)}\` (${v.reasons[0]})`);
        return { status: 'awaiting approval' as const, handle: null, terminal: t.index, approval: id, reasons: v.reasons, waited: null };
      }
    }
    const handle = await typeCommand(ctx, s, t, i.command, i.actor);
    const waited = i.waitMs > 0 ? await waitEnded(ctx, handle, i.waitMs) : null;
    return { status: 'started' as const, handle, terminal: t.index, approval: null, reasons: [], waited };
  }),
  bind('approval.list', (ctx, i) => {
    const s = i.session !== undefined ? ctx.manager.get(i.session) : undefined;
    return ctx.policy.pending(ctx.now(), s?.id).map((a) => approvalView(ctx, a));
  }),
  bind('approval.decide', async (ctx, i, caller) => {
    personOnly(ctx, i.actor, caller, 'approve or deny commands');
    const a = ctx.policy.approval(i.id);
    if (!a) throw new TrailError('not_found', `no approval ${i.id} (trail approve lists those waiting)`);
    const now = ctx.now();
    if (a.state === 'pending' && a.expires_at <= now) ctx.policy.decide(a.id, 'expired', null, now);
    const cur = ctx.policy.approval(a.id)!;
    if (cur.state !== 'pending') throw new TrailError('invalid', `approval ${a.id} was ${cur.state}${cur.decided_by ? ` by ${cur.decided_by}` : ''} already`);
    if (deciding.has(a.id)) throw new TrailError('invalid', `approval ${a.id} is being decided already`);
    if (i.approve) {
      // Run first: an approval whose command could not be typed (its terminal busy) stays waiting, to approve again.
      const s = ctx.manager.find(ctx.sessionNames().get(a.session_id) ?? '');
      if (!s) throw new TrailError('not_found', `the session of approval ${a.id} is gone`);
      const t = a.terminal ? (s.terminals.find((x) => x.id === a.terminal && !x.exited) ?? null) : agentTerminal(ctx, s, a.actor);
      if (!t) throw new TrailError('not_found', `the terminal approval ${a.id} was for has exited`);
      let handle: number;
      deciding.add(a.id);
      try {
        handle = await typeCommand(ctx, s, t, a.command, a.actor);
      } catch (e) {
        throw new TrailError('invalid', `approval ${a.id} still waits: ${(e as Error).message}; approve it again when the terminal is free`);
      } finally {
        deciding.delete(a.id);
      }
      if (!ctx.policy.decide(a.id, 'approved', i.actor, now)) throw new TrailError('invalid', `approval ${a.id} was decided meanwhile`);
      ctx.policy.setHandle(a.id, handle);
    } else if (!ctx.policy.decide(a.id, 'denied', i.actor, now)) throw new TrailError('invalid', `approval ${a.id} was decided meanwhile`);
    ctx.manager.events.emit({ kind: 'approval.decided', sessionId: a.session_id, terminalId: null, at: now, actor: i.actor, data: { id: a.id, command: a.command, state: i.approve ? 'approved' : 'denied', by: i.actor } });
    decided.emit(String(a.id));
    return approvalView(ctx, ctx.policy.approval(a.id)!);
  }),
  bind('approval.wait', async (ctx, i) => {
    const a = ctx.policy.approval(i.id);
    if (!a) throw new TrailError('not_found', `no approval ${i.id}`);
    if (a.state === 'pending' && a.expires_at > ctx.now()) {
      await new Promise<void>((resolve) => {
        const key = String(a.id);
        const done = () => (clearTimeout(timer), decided.off(key, done), resolve());
        const timer = setTimeout(done, Math.min(i.timeoutMs, a.expires_at - ctx.now()));
        decided.on(key, done);
      });
    }
    const now = ctx.policy.approval(a.id)!;
    if (now.state === 'pending' && now.expires_at <= ctx.now()) ctx.policy.decide(now.id, 'expired', null, ctx.now());
    return approvalView(ctx, ctx.policy.approval(a.id)!);
  }),
  bind('agent.action', (ctx, i) => {
    const s = i.session !== undefined ? ctx.manager.find(i.session) : undefined;
    ctx.manager.events.emit({ kind: 'agent.action', sessionId: s?.id ?? '', terminalId: null, at: ctx.now(), actor: i.actor, data: { tool: i.tool, args: i.args, outcome: i.outcome, detail: i.detail ?? null } });
    return {};
  }),
  bind('command.record', (ctx, i) => {
    const s = ctx.manager.get(i.session);
    // Kept like a command of a terminal: escapes gone, secrets redacted, the head and tail of a long output.
    let output = redact(stripAnsi(i.output), ctx.secrets);
    const bytes = Buffer.byteLength(output);
    const truncated = bytes > RECORD_MAX;
    if (truncated) output = output.slice(0, RECORD_MAX / 2) + '\n[…]\n' + output.slice(-RECORD_MAX / 2);
    const git = i.cwd ? gitHead(i.cwd) : null;
    const now = ctx.now();
    const startedAt = now - (i.durationMs ?? 0);
    const id = ctx.health.attempt(`a command ${i.actor} ran`, () =>
      ctx.commands.insert({
        session_id: s.id,
        terminal_id: null,
        command: redact(i.command, ctx.secrets),
        cwd: i.cwd === null ? null : redact(i.cwd, ctx.secrets),
        started_at: startedAt,
        ended_at: now,
        duration_ms: i.durationMs,
        exit_code: i.exitCode,
        git_root: git ? redact(git.root, ctx.secrets) : null,
        branch: git?.branch ? redact(git.branch, ctx.secrets) : null,
        head: git?.head ?? null,
        dirty: null,
        actor: i.actor,
        output,
        output_bytes: bytes,
        output_truncated: truncated ? 1 : 0,
        raw: null,
        screen: 0,
      }),
    );
    if (id === null) throw new TrailError('unavailable', `the store could not take the command: ${ctx.health.view().lastError ?? 'write failed'}`);
    return { id };
  }),
  bind('token.create', (ctx, i, caller) => {
    personOnly(ctx, i.actor, caller, 'make tokens');
    if (ctx.policy.tokens().some((t) => t.name === i.name)) throw new TrailError('invalid', `a token named ${i.name} exists already (trail token revoke ${i.name} first)`);
    const token = `trail_${randomBytes(24).toString('base64url')}`;
    ctx.policy.addToken(i.name, tokenHash(token), i.level, ctx.now());
    return { name: i.name, token, level: i.level };
  }),
  bind('token.list', (ctx) => ctx.policy.tokens().map((t) => ({ name: t.name, level: t.level, createdAt: t.created_at, lastUsedAt: t.last_used_at }))),
  bind('token.revoke', (ctx, i, caller) => {
    personOnly(ctx, i.actor, caller, 'revoke tokens');
    if (!ctx.policy.revokeToken(i.name)) throw new TrailError('not_found', `no token named ${i.name} (trail token ls lists them)`);
    return { name: i.name };
  }),
  bind('command.wait', (ctx, i) => waitEnded(ctx, i.id, i.timeoutMs)),
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
    if (i.actor.startsWith('agent:')) checkTyped(ctx, s, t, i.text ?? '', i.keys, i.enter);
    t.write(Buffer.from(data));
    return { terminal: t.index, bytes: Buffer.byteLength(data) };
  }),
  bind('terminal.screen', async (ctx, i) => {
    const s = ctx.manager.get(i.session);
    // The caller's own agent terminal unless one is named, else the newest.
    const own = i.actor === undefined ? undefined : s.terminals.find((x) => x.actor === i.actor && !x.exited);
    const t = i.terminal !== undefined ? ctx.manager.terminal(s, i.terminal) : (own ?? ctx.manager.terminal(s));
    // The screen, or the tail of scrollback and screen together.
    const text = (i.scrollback > 0 ? await tailWithScreen(t, i.scrollback) : await t.mirror.screenText()).replace(/\s+$/, '');
    const running = t.runningCommand;
    return { terminal: t.index, text, running: running ? { id: running.id, command: running.command, startedAt: running.startedAt } : null };
  }),
];
