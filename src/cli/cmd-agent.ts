// Agents that run commands with their own shell tool (Claude Code's Bash,
// Codex's shell) work outside any trail terminal. Their documented hooks
// bring them in: at session start the agent gets trail's context for the
// session of its directory, and each command its shell tool ran is kept in
// the trail with its exit code, output, cwd and the agent's name.
//
// `trail agent install` edits the agent's own settings file (JSON), adding
// trail's handlers and touching nothing else; `uninstall` takes exactly those
// out again (they are known by their command: this trail's `agent hook`).
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { CliCommand } from './command.js';
import { UsageError } from './command.js';
import { call } from './connect.js';
import { out } from './output.js';
import { ClientError } from '../client/daemon-client.js';

const AGENTS = ['claude-code', 'codex'] as const;
type Agent = (typeof AGENTS)[number];

/** Where each agent keeps its hooks: the user's file, or the project's with --project. */
function settingsFile(agent: Agent, project: boolean): string {
  const base = project ? process.cwd() : homedir();
  if (agent === 'claude-code') return join(base, '.claude', 'settings.json');
  return join(project ? base : (process.env.CODEX_HOME ?? join(base, '.codex')), ...(project ? ['.codex'] : []), 'hooks.json');
}

const TRAIL = fileURLToPath(new URL('../../../bin/trail', import.meta.url));
const hookCommand = (agent: Agent, event: string) => `'${TRAIL.replace(/'/g, `'\\''`)}' agent hook ${agent} ${event}`;
const isOurs = (cmd: unknown) => typeof cmd === 'string' && / agent hook (claude-code|codex) /.test(cmd) && cmd.includes('trail');

type Handler = { type: string; command?: string; timeout?: number };
type Group = { matcher?: string; hooks: Handler[] };
type Settings = { hooks?: Record<string, Group[]>; [k: string]: unknown };

/** The hooks trail adds: event, matcher, trail's event name. */
function wanted(agent: Agent): [string, string | undefined, string][] {
  const list: [string, string | undefined, string][] = [
    ['SessionStart', undefined, 'session-start'],
    ['PostToolUse', 'Bash', 'post-tool-use'],
  ];
  // Claude Code reports a command that failed (exit status not 0) as a failure of its tool, to a hook of its own.
  if (agent === 'claude-code') list.push(['PostToolUseFailure', 'Bash', 'post-tool-use']);
  return list;
}

function readSettings(file: string): Settings {
  if (!existsSync(file)) return {};
  const text = readFileSync(file, 'utf8');
  if (!text.trim()) return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Settings;
  } catch (e) {
    throw new ClientError(`${file} is not valid JSON (${(e as Error).message}); trail leaves it alone: mend it and run this again`);
  }
}

function writeSettings(file: string, s: Settings): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.trail-tmp`;
  writeFileSync(tmp, JSON.stringify(s, null, 2) + '\n');
  renameSync(tmp, file);
}

function install(agent: Agent, file: string): number {
  const s = readSettings(file);
  const hooks = (s.hooks ??= {});
  let added = 0;
  for (const [event, matcher, name] of wanted(agent)) {
    const groups = (hooks[event] ??= []);
    if (groups.some((g) => g.hooks?.some((h) => isOurs(h.command)))) continue;
    groups.push({ ...(matcher !== undefined ? { matcher } : {}), hooks: [{ type: 'command', command: hookCommand(agent, name), timeout: 10 }] });
    added++;
  }
  writeSettings(file, s);
  return added;
}

function uninstall(file: string): number {
  if (!existsSync(file)) return 0;
  const s = readSettings(file);
  let removed = 0;
  for (const [event, groups] of Object.entries(s.hooks ?? {})) {
    const kept: Group[] = [];
    for (const g of groups) {
      const hs = (g.hooks ?? []).filter((h) => !isOurs(h.command));
      removed += (g.hooks ?? []).length - hs.length;
      if (hs.length) kept.push({ ...g, hooks: hs });
    }
    if (kept.length) s.hooks![event] = kept;
    else delete s.hooks![event];
  }
  if (s.hooks && !Object.keys(s.hooks).length) delete s.hooks;
  if (!removed) return 0;
  // Nothing else in it (trail's install made it): it goes, rather than staying as {}.
  if (!Object.keys(s).length) rmSync(file);
  else writeSettings(file, s);
  return removed;
}

/** Codex runs hooks only with its feature flag on (config.toml [features] codex_hooks = true). */
function codexFlag(): string | null {
  const file = join(process.env.CODEX_HOME ?? join(homedir(), '.codex'), 'config.toml');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (/^\s*codex_hooks\s*=\s*true\b/m.test(text)) return null;
  if (/^\s*codex_hooks\s*=/m.test(text)) return `${file} turns codex_hooks off: set it to true for the hooks to run`;
  mkdirSync(dirname(file), { recursive: true });
  const next = /^\[features\]\s*$/m.test(text) ? text.replace(/^\[features\]\s*$/m, '[features]\ncodex_hooks = true') : `${text}${text && !text.endsWith('\n') ? '\n' : ''}\n[features]\ncodex_hooks = true\n`;
  writeFileSync(file, next);
  return `turned on codex_hooks in ${file}`;
}

/** What an agent's hook sends on stdin (Claude Code's documented fields; Codex's are the same shape). */
type HookInput = {
  cwd?: string;
  hook_event_name?: string;
  tool_name?: string;
  tool_input?: { command?: string };
  tool_response?: unknown;
  tool_output?: unknown;
  error?: string;
  error_message?: string;
};

/** The exit code and output of a shell tool's run, from whichever fields the agent gave. */
function outcome(h: HookInput): { exitCode: number | null; output: string } {
  const r = h.tool_response ?? h.tool_output;
  const failure = h.error ?? h.error_message;
  let output = '';
  let code: number | null = null;
  if (typeof r === 'string') output = r;
  else if (r && typeof r === 'object') {
    const o = r as Record<string, unknown>;
    output = [o.stdout, o.stderr, o.output].filter((x) => typeof x === 'string' && x).join('\n');
    const c = o.exit_code ?? o.exitCode ?? o.code;
    if (typeof c === 'number') code = c;
    else if (o.interrupted === true) code = 130;
  }
  if (typeof failure === 'string') {
    output = output || failure;
    const m = /exit(?:ed with)? code:?\s*(-?\d+)/i.exec(failure);
    code ??= m ? Number(m[1]) : 1;
  }
  // A run reported as done, with no failure and no code, succeeded (Claude Code's PostToolUse fires on success only).
  if (code === null && h.hook_event_name === 'PostToolUse') code = 0;
  return { exitCode: code, output: output.replace(/^Exit code -?\d+\n?/, '') };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A hook must never break the agent: whatever fails, it exits 0 and says why on stderr. */
async function hook(agent: Agent, event: string): Promise<number> {
  let input: HookInput = {};
  try {
    const text = await readStdin();
    input = text.trim() ? (JSON.parse(text) as HookInput) : {};
  } catch (e) {
    process.stderr.write(`trail agent hook: the hook's input is not JSON (${(e as Error).message})\n`);
    return 0;
  }
  const cwd = input.cwd ?? process.cwd();
  const actor = `agent:${agent}`;
  try {
    const { name } = await call('session.current', { dir: cwd });
    if (!name) return 0; // no trail session here: nothing to add or keep
    if (event === 'session-start') {
      const ctx = await call('session.context', { session: name, budget: 2000, identity: actor, format: 'md' });
      process.stdout.write(JSON.stringify({ hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: ctx.text } }) + '\n');
      return 0;
    }
    if (event === 'post-tool-use') {
      const command = input.tool_input?.command;
      if (typeof command !== 'string' || !command.trim()) return 0;
      const o = outcome(input);
      await call('command.record', { session: name, actor, command, cwd, exitCode: o.exitCode, output: o.output.slice(0, 4_000_000), durationMs: null });
      return 0;
    }
    process.stderr.write(`trail agent hook: no event ${event} (session-start, post-tool-use)\n`);
  } catch (e) {
    process.stderr.write(`trail agent hook: ${e instanceof ClientError || e instanceof Error ? e.message : String(e)}\n`);
  }
  return 0;
}

export const agentCommand: CliCommand = {
  name: 'agent',
  summary: "bring agents' own shell tools into the trail: install claude-code|codex [--project], uninstall …",
  usage: 'trail agent install claude-code|codex [--project] | trail agent uninstall claude-code|codex [--project]',
  options: { project: { type: 'boolean' } },
  optionHelp: { project: { text: "this project's settings (.claude/settings.json, .codex/hooks.json here) instead of your own" } },
  more: [
    "Installs the agent's documented hooks, leaving your other settings as they are:",
    "  SessionStart: the agent starts with trail's context for the session of its directory;",
    "  PostToolUse (Bash): each command the agent's shell tool ran is kept in the trail with its",
    '  exit code, output and cwd, by agent:claude-code or agent:codex (see trail log, trail brief).',
    'Codex runs hooks only with codex_hooks = true under [features] in its config.toml: install sets it.',
    '(trail agent hook AGENT EVENT is what the hooks run; it reads the JSON the agent sends.)',
  ].join('\n'),
  run: async ({ values, positionals }) => {
    const [verb, agent, event] = positionals;
    if (verb === 'hook') {
      if (!AGENTS.includes(agent as Agent)) return 0;
      return hook(agent as Agent, event ?? '');
    }
    if (verb !== 'install' && verb !== 'uninstall') throw new UsageError(`agent takes install or uninstall, not ${JSON.stringify(verb ?? '')}`);
    if (!AGENTS.includes(agent as Agent)) throw new UsageError(`agent ${verb} takes claude-code or codex, not ${JSON.stringify(agent ?? '')}`);
    const a = agent as Agent;
    const file = settingsFile(a, Boolean(values.project));
    if (verb === 'install') {
      const added = install(a, file);
      out(added ? `added trail's hooks to ${file} (${wanted(a).map(([e]) => e).join(', ')})` : `trail's hooks are in ${file} already`);
      if (a === 'codex') {
        const flag = codexFlag();
        if (flag) out(flag);
      }
    } else {
      const removed = uninstall(file);
      out(removed ? `removed trail's hooks from ${file}` : `no trail hooks in ${file}`);
    }
    return 0;
  },
};
