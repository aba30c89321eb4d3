// Context for an assistant under a budget, chapters, and forgetting: old state
// must not become confusion, and what should not have been kept is gone, from
// the database file's bytes too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox, runCommand, eventually } from './helpers.js';

type Cmd = { id: number; command: string; exitCode: number | null; endedAt: number | null; endReason: string | null };
const tokens = (s: string) => Math.ceil(s.length / 4);

test('context: failures first, never over the budget (md and json, at several budgets), what was cut counted; reset starts a chapter the briefing keeps to; forget leaves no byte behind', async () => {
  const sb = new Sandbox();
  const proj = join(sb.userHome, 'ctx');
  mkdirSync(proj, { recursive: true });
  writeFileSync(join(proj, 'trail.yaml'), 'services:\n  api:\n    command: "echo api listening; echo SECRETWORD-in-a-log-line; sleep 300"\n');
  try {
    await sb.startDaemon();
    await sb.trail(['new', 'ctx', '-d', '--dir', proj]);
    await sb.trail(['up', '--session', 'ctx']);
    const c = sb.attach(['attach', 'ctx'], { cols: 120, rows: 30 });
    await c.waitFor('$ ');
    for (let i = 0; i < 12; i++) await runCommand<Cmd>(sb, c, 'ctx', `seq 1 40 | sed 's/^/ok line /'; echo run-${i}\r`);
    const bad = await runCommand<Cmd>(sb, c, 'ctx', `seq 1 30; echo "Error: test_login failed: expected 200, got 500"; echo trailing; (exit 1)\r`);
    await runCommand<Cmd>(sb, c, 'ctx', 'echo after-the-failure\r');
    await runCommand<Cmd>(sb, c, 'ctx', 'echo token SECRETWORD-here\r');
    assert.equal((await sb.trail(['note', 'the login test fails only on CI', '--on', String(bad.id), '--session', 'ctx'])).code, 0);
    assert.equal((await sb.trail(['note', 'SECRETWORD also went into a note', '--session', 'ctx'])).code, 0);

    // Context at several budgets: never over, the failure first among commands.
    for (const budget of [300, 500, 800, 2000, 8000]) {
      const md = await sb.trail(['context', 'ctx', '--since', '1h', '--budget', String(budget)]);
      assert.equal(md.code, 0, md.stderr);
      assert.ok(tokens(md.stdout) <= budget, `md at ${budget}: ${tokens(md.stdout)} tokens`);
      const js = await sb.trail(['context', 'ctx', '--since', '1h', '--budget', String(budget), '--format', 'json']);
      assert.ok(tokens(js.stdout.trimEnd()) <= budget, `json at ${budget}: ${tokens(js.stdout)} tokens`);
      JSON.parse(js.stdout);
      if (budget >= 500) {
        const cmds = [...md.stdout.matchAll(/^### command (\d+)/gm)].map((m) => Number(m[1]));
        assert.equal(cmds[0], bad.id, `the failure first at ${budget}:\n${md.stdout}`);
        assert.match(md.stdout, /Error: test_login failed: expected 200, got 500/);
      }
      if (budget <= 500) assert.match(md.stdout, /_Not shown: .*\d+ commands \(trail log\)/, `at ${budget}`);
    }
    const full = (await sb.trail(['context', 'ctx', '--since', '1h', '--budget', '100000'])).stdout;
    assert.doesNotMatch(full, /Not shown/);
    assert.match(full, /## Open notes\n\n- note 1: the login test fails only on CI \[command \d+\]/);
    assert.match(full, /### service api: /);
    const order = ['## What happened', '## Open notes', '## Recent commands', '## Services'].map((h) => full.indexOf(h));
    assert.deepEqual([...order].sort((a, b) => a - b), order, 'sections in order of importance');
    assert.ok(order.every((i) => i >= 0), full.slice(0, 400));

    // A new chapter: the briefing looks at it only; log shows where it began; search still finds older commands.
    assert.match((await sb.trail(['reset', 'ctx', '--title', 'fix the login test'])).stdout, /new chapter of ctx: fix the login test/);
    const brief = (await sb.trail(['brief', 'ctx', '--since', '1h'])).stdout;
    assert.match(brief, /chapter: fix the login test/);
    assert.doesNotMatch(brief, /test_login|run-\d/, 'nothing from before the chapter');
    assert.match((await sb.trail(['log', 'ctx'])).stdout, /new chapter: fix the login test/);
    assert.equal((await sb.trail(['search', 'run-3'])).code, 0);
    assert.doesNotMatch((await sb.trail(['context', 'ctx', '--since', '1h'])).stdout, /run-\d/);

    // Forget: the command, the note and the log line that hold the text; then no byte of it in the file or the WAL.
    c.type('\x1c');
    await c.left();
    const f = await sb.trail(['forget', '--match', 'secretword']);
    assert.equal(f.code, 0, f.stderr);
    assert.match(f.stdout, /forgot 1 command\(s\), 1 service output line\(s\), 1 note\(s\)$/m);
    assert.equal((await sb.trail(['search', 'SECRETWORD'])).code, 1);
    assert.equal((await sb.trail(['search', 'SECRETWORD', '--in', 'logs'])).code, 1);
    assert.doesNotMatch((await sb.trail(['notes', '--all', '--session', 'ctx'])).stdout, /SECRETWORD/);
    assert.match((await sb.trail(['svc', 'logs', 'api', '--session', 'ctx'])).stdout, /api listening/, 'the other lines stay');
    assert.match((await sb.trail(['log', 'ctx'])).stdout, /forgot: 1 command\(s\), 1 note\(s\), 1 log line\(s\) \(by a text\)/);
    await eventually(async () => {
      for (const file of ['trail.db', 'trail.db-wal', 'trail.logs.db', 'trail.logs.db-wal']) {
        const p = join(sb.home, file);
        if (existsSync(p) && readFileSync(p).includes('SECRETWORD')) return null;
      }
      return true;
    }, 'no byte of the forgotten text in the database file or its WAL');
    // Bad input.
    assert.match((await sb.trail(['forget'])).stderr, /forget what\?/);
    assert.match((await sb.trail(['forget', '999999'])).stderr, /no command 999999/);
    assert.match((await sb.trail(['context', 'ctx', '--budget', '10'])).stderr, /--budget takes a number of tokens from 200 to 1000000/);
  } finally {
    await sb.trail(['down', '--session', 'ctx']);
    await sb.cleanup();
  }
});
