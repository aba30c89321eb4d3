// Agents' own shell tools, brought into the trail by their documented hooks:
// `trail agent install` edits the agent's settings (keeping the rest), and the
// installed commands, run as the agent runs them (sh -c, the JSON it sends on
// stdin), give the agent trail's context at session start and keep each
// command its shell tool ran, with exit code, output, cwd and the agent's name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox } from './helpers.js';

type Settings = { model?: string; permissions?: unknown; hooks?: Record<string, { matcher?: string; hooks: { type: string; command: string }[] }[]> };

test('trail agent install claude-code: SessionStart gives the context, Bash runs (ok and failed) are kept in the trail by agent:claude-code; uninstall leaves the rest of the settings as they were', async () => {
  const sb = new Sandbox();
  const proj = join(sb.userHome, 'hooked');
  mkdirSync(proj, { recursive: true });
  const settingsFile = join(sb.userHome, '.claude', 'settings.json');
  mkdirSync(join(sb.userHome, '.claude'), { recursive: true });
  // The person's own settings, with a hook of their own on the same event.
  const mine: Settings = { model: 'opus', permissions: { allow: ['Bash(npm test)'] }, hooks: { PostToolUse: [{ matcher: 'Write', hooks: [{ type: 'command', command: 'prettier --write' }] }] } };
  writeFileSync(settingsFile, JSON.stringify(mine, null, 2));
  try {
    await sb.startDaemon();
    await sb.trail(['new', 'hk', '-d', '--dir', proj]);
    await sb.trail(['note', 'the login test is flaky', '--session', 'hk']);
    const inst = await sb.trail(['agent', 'install', 'claude-code']);
    assert.equal(inst.code, 0, inst.stderr);
    assert.match(inst.stdout, /added trail's hooks to .*\.claude\/settings\.json \(SessionStart, PostToolUse, PostToolUseFailure\)/);
    assert.match((await sb.trail(['agent', 'install', 'claude-code'])).stdout, /trail's hooks are in .* already/);
    const s = JSON.parse(readFileSync(settingsFile, 'utf8')) as Settings;
    assert.equal(s.model, 'opus');
    assert.deepEqual(s.permissions, mine.permissions);
    assert.equal(s.hooks!.PostToolUse.length, 2, 'the person’s own hook stays');
    assert.equal(s.hooks!.PostToolUse[0].hooks[0].command, 'prettier --write');

    // Run each installed command as Claude Code does: sh -c COMMAND, the event's JSON on stdin.
    const run = (event: string, matcher: string | undefined, input: object) => {
      const group = s.hooks![event].find((g) => g.matcher === matcher && g.hooks.some((h) => h.command.includes('agent hook')))!;
      return execFileSync('/bin/sh', ['-c', group.hooks[0].command], { input: JSON.stringify(input), env: sb.env as NodeJS.ProcessEnv, cwd: proj }).toString();
    };
    const base = { session_id: 'abc123', transcript_path: join(sb.userHome, '.claude/projects/x.jsonl'), cwd: proj };
    const start = JSON.parse(run('SessionStart', undefined, { ...base, hook_event_name: 'SessionStart', source: 'startup' })) as { hookSpecificOutput: { hookEventName: string; additionalContext: string } };
    assert.equal(start.hookSpecificOutput.hookEventName, 'SessionStart');
    assert.match(start.hookSpecificOutput.additionalContext, /the login test is flaky/);

    run('PostToolUse', 'Bash', { ...base, hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: { command: 'npm run build', description: 'Build' }, tool_response: { stdout: 'built 12 files\n', stderr: '', interrupted: false, isImage: false } });
    run('PostToolUseFailure', 'Bash', { ...base, hook_event_name: 'PostToolUseFailure', tool_name: 'Bash', tool_input: { command: 'npm test' }, tool_use_id: 'toolu_1', error: 'Exit code 1\nFAIL test/login.test.js\n  expected 200, got 500\n' });
    const log = await sb.json<{ command: string; exitCode: number | null; actor: string; cwd: string }[]>(['log', 'hk', '--json']);
    const build = log.find((c) => c.command === 'npm run build')!;
    const test_ = log.find((c) => c.command === 'npm test')!;
    assert.deepEqual([build.exitCode, build.actor, build.cwd], [0, 'agent:claude-code', proj]);
    assert.deepEqual([test_.exitCode, test_.actor], [1, 'agent:claude-code']);
    const shown = await sb.json<{ output: string }>(['show', String((test_ as unknown as { id: number }).id), '--json']);
    assert.match(shown.output, /FAIL test\/login\.test\.js\n {2}expected 200, got 500/);
    // The person's briefing counts them.
    const b = await sb.json<{ others: { actor: string; commands: number; failed: number }[] }>(['brief', 'hk', '--since', '1h', '--json']);
    assert.deepEqual(b.others.find((o) => o.actor === 'agent:claude-code'), { actor: 'agent:claude-code', commands: 2, failed: 1, notes: 0, attached: 0, acted: 0, refused: 0 });
    // Outside any session, the hooks add nothing and never fail the agent.
    const outside = execFileSync('/bin/sh', ['-c', s.hooks!.SessionStart[0].hooks[0].command], { input: JSON.stringify({ ...base, cwd: '/', hook_event_name: 'SessionStart' }), env: sb.env as NodeJS.ProcessEnv }).toString();
    assert.equal(outside, '');

    assert.match((await sb.trail(['agent', 'uninstall', 'claude-code'])).stdout, /removed trail's hooks/);
    assert.deepEqual(JSON.parse(readFileSync(settingsFile, 'utf8')), mine);
  } finally {
    await sb.cleanup();
  }
});

test('trail agent install codex: hooks.json written and codex_hooks turned on in config.toml, other settings kept', async () => {
  const sb = new Sandbox();
  const codex = join(sb.userHome, '.codex');
  mkdirSync(codex, { recursive: true });
  writeFileSync(join(codex, 'config.toml'), 'model = "gpt-5-codex"\n\n[features]\nweb_search = true\n');
  try {
    const r = await sb.trail(['agent', 'install', 'codex']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /turned on codex_hooks/);
    const hooks = JSON.parse(readFileSync(join(codex, 'hooks.json'), 'utf8')) as Settings;
    assert.deepEqual(Object.keys(hooks.hooks!).sort(), ['PostToolUse', 'SessionStart']);
    assert.equal(hooks.hooks!.PostToolUse[0].matcher, 'Bash');
    assert.equal(readFileSync(join(codex, 'config.toml'), 'utf8'), 'model = "gpt-5-codex"\n\n[features]\ncodex_hooks = true\nweb_search = true\n');
    // A settings file that is not JSON is left alone, with one line saying so.
    writeFileSync(join(codex, 'hooks.json'), '{ not json');
    const bad = await sb.trail(['agent', 'install', 'codex']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^trail: .*hooks\.json is not valid JSON .*trail leaves it alone: mend it and run this again\n$/);
    assert.equal(readFileSync(join(codex, 'hooks.json'), 'utf8'), '{ not json');
  } finally {
    await sb.cleanup();
  }
});
