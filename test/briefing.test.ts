// Returning: a person works in a session (commands, a long build left
// running, a note on a file line), leaves; while away a service gives up,
// the build fails, a commit changes the noted line, a file is edited, someone
// else drops by and leaves a note. Coming back, the briefing names each of
// those and nothing that did not happen; a second look says honestly that
// nothing happened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox, eventually, runCommand, done } from './helpers.js';

type Cmd = { id: number; command: string; exitCode: number | null; endedAt: number | null; endReason: string | null };

test('the briefing on return names what broke, what finished, git, others, where you were and a stale note; nothing that did not happen; then nothing', async () => {
  const sb = new Sandbox();
  const proj = join(sb.userHome, 'proj');
  mkdirSync(proj, { recursive: true });
  mkdirSync(sb.home, { recursive: true, mode: 0o700 });
  // Shown on any return, however short the time away.
  writeFileSync(join(sb.home, 'config.yaml'), 'brief: { after: 0s }\n');
  const git = (...args: string[]) => execFileSync('git', ['-C', proj, ...args], { env: { ...sb.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } });
  writeFileSync(join(proj, 'app.py'), 'def fetch():\n    retries = 3\n    return call(retries)\n');
  writeFileSync(join(proj, 'notes.md'), 'todo\n');
  writeFileSync(
    join(proj, 'trail.yaml'),
    `services:
  steady:
    command: sleep 300
  flaky:
    command: "echo 'Error: lost connection to the database' >&2; exit 1"
    autostart: false
    backoff: { initial: 50ms, max: 50ms }
    max_restarts: 1
`,
  );
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'start');
  try {
    await sb.startDaemon();
    await sb.trail(['new', 'proj', '-d', '--dir', proj]);
    assert.equal((await sb.trail(['up', 'steady', '--session', 'proj'])).code, 0);
    let c = sb.attach(['attach', 'proj'], { cols: 140, rows: 40 });
    await c.waitFor('$ ');
    await runCommand<Cmd>(sb, c, 'proj', 'echo before-leaving\r');
    const before = await runCommand<Cmd>(sb, c, 'proj', 'false\r');
    assert.equal(before.exitCode, 1);
    const note = await sb.trail(['note', 'retries must stay at 3', '--file', 'app.py:2', '--session', 'proj'], { cwd: proj });
    assert.equal(note.code, 0, note.stderr);
    // A build left running, then away.
    await c.promptReady();
    c.type('sleep 1.5; echo "compiling"; echo "error: cannot find module left-pad"; echo done; (exit 3)\r');
    await c.waitFor('sleep 1.5');
    c.type('\x1c');
    assert.equal(await c.left(), 0);

    // While away.
    assert.equal((await sb.trail(['up', 'flaky', '--session', 'proj'])).code, 1);
    writeFileSync(join(proj, 'app.py'), 'def fetch():\n    retries = 10\n    return call(retries)\n');
    git('commit', '-q', '-am', 'more retries for the flaky db');
    writeFileSync(join(proj, 'notes.md'), 'todo: look at flaky\n');
    const other = { USER: 'claude' };
    const visitor = sb.attach(['attach', 'proj', '--read-only'], { cols: 100, rows: 30 }, other);
    await visitor.waitFor('$');
    visitor.type('\x1c');
    await visitor.left();
    assert.equal((await sb.trail(['note', 'flaky needs the db up first', '--svc', 'flaky', '--session', 'proj'], { env: other })).code, 0);
    // The build ends.
    await eventually(async () => {
      const l = await sb.json<Cmd[]>(['log', 'proj', '--json', '-n', '100']);
      return l.every(done) && l.some((x) => x.command.startsWith('sleep 1.5') && x.exitCode === 3) ? l : null;
    }, 'the build finished');

    // Back: the briefing above the screen.
    c = sb.attach(['attach', 'proj'], { cols: 140, rows: 40 });
    await c.waitFor('$ ');
    const seen = await c.allText();
    const lines = seen.split('\n');
    const has = (re: RegExp) => assert.ok(lines.some((l) => re.test(l)), `${re} in:\n${seen}`);
    has(/^trail: proj · ~\/proj · away \d/);
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    has(/^✗ service flaky gave up, crashed 2×, restarted 1×  → trail svc logs flaky$/);
    assert.match(lines[at(/service flaky/) + 1], /^ {4}Error: lost connection to the database$/);
    has(/^✗ sleep 1\.5; .* · exit 3 after 1\.\ds, finished while away  → trail show \d+$/);
    assert.match(lines[at(/finished while away/) + 1], /^ {4}error: cannot find module left-pad$/, 'the line that says why, not the last line');
    has(/^git: 1 commit since \("more retries for the flaky db"\); 1 file changed since and not committed: notes\.md$/);
    has(/^cli:claude left 1 note; attached 1×$/);
    has(/^note #1 retries must stay at 3 \(app\.py:2\) · may be stale: the line now says "retries = 10"$/);
    has(/^note #2 flaky needs the db up first \(on service flaky\)$/);
    // Nothing that did not happen.
    assert.ok(!/steady/.test(seen.slice(0, seen.indexOf('note #2'))), 'a service that did not crash is not named');
    assert.ok(!lines.some((l) => /✗ false/.test(l)), 'a failure from before the visit ended is not news');
    assert.ok(!/Nothing happened/.test(seen));
    c.type('\x1c');
    await c.left();

    // Looked at, and nothing since: one honest line.
    const again = await sb.trail(['brief', 'proj']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Nothing happened while you were away \(\d/);
    assert.doesNotMatch(again.stdout, /✗|finished while away|git:/);
    assert.match(again.stdout, /note #1 .* may be stale/, 'open notes are still shown');
    // Notes: listed, done, in the trail's timeline.
    assert.equal((await sb.trail(['note', 'done', '2'])).code, 0);
    const open = (await sb.trail(['notes', '--session', 'proj'])).stdout;
    assert.match(open, /#1 retries must stay at 3/);
    assert.doesNotMatch(open, /#2/);
    assert.match((await sb.trail(['notes', '--all', '--session', 'proj'])).stdout, /#2 flaky needs the db up first .*done/);
    // Notes are found by search, beside commands and on their own.
    assert.match((await sb.trail(['search', 'retries must'])).stdout, /note proj  #1 retries must stay at 3/);
    assert.match((await sb.trail(['search', 'db up first', '--in', 'notes'])).stdout, /#2 flaky needs the db up first/);
    const log = (await sb.trail(['log', 'proj'])).stdout;
    assert.match(log, /note #1: retries must stay at 3 \(cli:/);
    assert.match(log, /note #2: done: flaky needs the db up first/);
    // Bad input: one clear line each.
    assert.match((await sb.trail(['note', 'x', '--on', '99999', '--session', 'proj'])).stderr, /no command 99999 in proj/);
    assert.match((await sb.trail(['note', 'x', '--file', 'app.py:99', '--session', 'proj'], { cwd: proj })).stderr, /has no line 99/);
    assert.match((await sb.trail(['note', 'x', '--svc', 'nope', '--session', 'proj'])).stderr, /proj has no service named nope/);
    assert.match((await sb.trail(['brief', 'nosuch'])).stderr, /no session named "nosuch"/);
  } finally {
    await sb.trail(['down', '--session', 'proj']);
    await sb.cleanup();
  }
});

test('the briefing says nothing that did not happen: no git line without commits or changes, a short command is not "still running", an unchanged noted line is not stale, no others when nobody else came', async () => {
  const sb = new Sandbox();
  const proj = join(sb.userHome, 'calm');
  mkdirSync(proj, { recursive: true });
  mkdirSync(sb.home, { recursive: true, mode: 0o700 });
  writeFileSync(join(sb.home, 'config.yaml'), 'brief: { after: 0s }\n');
  writeFileSync(join(proj, 'a.txt'), 'one\ntwo\n');
  execFileSync('git', ['-C', proj, 'init', '-q', '-b', 'main']);
  execFileSync('git', ['-C', proj, 'add', '.']);
  execFileSync('git', ['-C', proj, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-q', '-m', 'one']);
  try {
    await sb.startDaemon();
    await sb.trail(['new', 'calm', '-d', '--dir', proj]);
    const c = sb.attach(['attach', 'calm'], { cols: 120, rows: 30 });
    await c.waitFor('$ ');
    await runCommand<Cmd>(sb, c, 'calm', 'echo fine\r');
    assert.equal((await sb.trail(['note', 'line two is right', '--file', 'a.txt:2', '--session', 'calm'], { cwd: proj })).code, 0);
    c.type('\x1c');
    await c.left();
    const b = await sb.json<{ quiet: boolean; git: unknown; others: unknown[]; running: unknown[]; failed: unknown[]; services: unknown[]; notes: { stale: boolean }[] }>(['brief', 'calm', '--json']);
    assert.equal(b.quiet, true);
    assert.deepEqual([b.others, b.running, b.failed, b.services], [[], [], [], []]);
    assert.equal(b.notes[0].stale, false);
    const text = (await sb.trail(['brief', 'calm'])).stdout;
    assert.doesNotMatch(text, /^git:/m, 'no commits, no changes, same branch: no git line');
    assert.doesNotMatch(text, /may be stale/);
    assert.match(text, /note #1 line two is right \(a\.txt:2\)$/m);
  } finally {
    await sb.cleanup();
  }
});

test('notes follow their line when lines are added above it, keep numbers never reused, list pinned first; trail --no-brief; an assistant named with TRAIL_ACTOR has its own visits; reading a briefing is not a visit unless --mark', async () => {
  const sb = new Sandbox();
  const proj = join(sb.userHome, 'nf');
  mkdirSync(proj, { recursive: true });
  writeFileSync(join(proj, 'app.py'), 'import os\ndef tax(x):\n    return x * 0.2\n');
  try {
    await sb.startDaemon();
    await sb.trail(['new', 'nf', '-d', '--dir', proj]);
    const on = async (text: string, ...more: string[]) => JSON.parse((await sb.trail(['note', text, '--session', 'nf', '--json', ...more], { cwd: proj })).stdout) as { id: number };
    const a = await on('the rate is 20%', '--file', 'app.py:3');
    const b = await on('temporary');
    assert.equal((await sb.trail(['note', 'rm', String(b.id)])).code, 0);
    const c = await on('keep an eye on this', '--pin');
    assert.ok(c.id > b.id, `a removed note's number is not given again (${b.id} then ${c.id})`);
    // Two lines added above: the note follows its line to 5, and is not stale.
    writeFileSync(join(proj, 'app.py'), '# header\n# more\nimport os\ndef tax(x):\n    return x * 0.2\n');
    const notes = await sb.json<{ id: number; line: number | null; stale: boolean; pinned: boolean }[]>(['notes', '--session', 'nf', '--json']);
    assert.deepEqual(notes.map((n) => n.id), [c.id, a.id], 'pinned first');
    assert.deepEqual([notes[1].line, notes[1].stale], [5, false]);
    // The line itself changed: now it may be stale.
    writeFileSync(join(proj, 'app.py'), '# header\n# more\nimport os\ndef tax(x):\n    return x * 0.25\n');
    assert.match((await sb.trail(['notes', '--session', 'nf'])).stdout, /may be stale: the line now says "return x \* 0\.25"/);
    // Options without a command name are trail's own (the default command): --no-brief is understood.
    assert.doesNotMatch((await sb.trail(['--no-brief'])).stderr, /unknown command/);
    // An assistant's visits are its own; reading is not a visit unless marked.
    const asAgent = { TRAIL_ACTOR: 'helper' };
    const first = JSON.parse((await sb.trail(['brief', 'nf', '--json', '--mark'], { env: asAgent })).stdout) as { identity: string; since: number | null };
    assert.equal(first.identity, 'agent:helper');
    assert.equal(first.since, null);
    const second = JSON.parse((await sb.trail(['brief', 'nf', '--json'], { env: asAgent })).stdout) as { since: number | null };
    assert.notEqual(second.since, null, 'the marked read counted as its visit');
    const person = await sb.json<{ since: number | null }>(['brief', 'nf', '--json']);
    assert.equal(person.since, null, "the person's visits are untouched by the assistant's");
    // The person never attached to nf: reading is their visit, as for an agent.
    assert.notEqual((await sb.json<{ since: number | null }>(['brief', 'nf', '--json'])).since, null);
  } finally {
    await sb.cleanup();
  }
});
