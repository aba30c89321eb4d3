// `trail import`: real history files of bash, zsh and fish as those shells
// write them, and an Atuin database built by its documented schema, brought
// into the trail once, however often the import runs.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Sandbox } from './helpers.js';

type Cmd = { id: number; command: string; session: string; startedAt: number; durationMs: number | null; exitCode: number | null; cwd: string | null; host: string | null; actor: string };

describe('trail import', () => {
  const sb = new Sandbox();
  before(async () => {
    await sb.startDaemon();
  });
  after(async () => {
    await sb.cleanup();
  });

  test('bash history with HISTTIMEFORMAT stamps, and the same file again adds nothing', async () => {
    const file = sb.file('.bash_history', '#1700000000\ncargo build --release\n#1700000100\nls -la\n#1700000200\nls -la\n#1700000300\nexport GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789\n');
    const r = await sb.trail(['import', 'bash']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`imported 4 command\\(s\\) from ${file}`));
    const hits = await sb.search<Cmd>(['cargo build']);
    // A token typed long ago is redacted as a live one is.
    const secret = await sb.search<Cmd>(['GITHUB_TOKEN']);
    assert.equal(secret.length, 1);
    assert.equal(secret[0].command, 'export GITHUB_TOKEN=[REDACTED]');
    assert.equal((await sb.search<Cmd>(['ghp_'])).length, 0);
    assert.equal(hits.length, 1);
    assert.equal(hits[0].startedAt, 1700000000 * 1000);
    assert.equal(hits[0].session, 'imported from bash');
    assert.equal(hits[0].actor, 'import:bash');
    const again = await sb.trail(['import', 'bash']);
    assert.match(again.stdout, /imported 0 command\(s\) .*; 4 were imported before/);
    assert.equal((await sb.search<Cmd>(['ls -la'])).length, 2, 'two runs of the same line stay two, once each');
  });

  test('unstamped lines keep their place among stamped ones (HISTTIMEFORMAT set later)', async () => {
    const file = join(sb.dir, 'mixed_history');
    writeFileSync(file, 'echo mixed-old-one\necho mixed-old-two\n#1700001000\necho mixed-stamped\necho mixed-after\n');
    assert.match((await sb.trail(['import', 'bash', file])).stdout, /imported 4 /);
    const hits = (await sb.search<Cmd>(['mixed-'])).sort((a, b) => a.startedAt - b.startedAt);
    assert.deepEqual(hits.map((h) => h.command), ['echo mixed-old-one', 'echo mixed-old-two', 'echo mixed-stamped', 'echo mixed-after']);
    assert.equal(hits[2].startedAt, 1700001000 * 1000);
    assert.ok(hits[3].startedAt - hits[0].startedAt < 10, 'all around the one stamp, not years apart');
  });

  test('a plain bash history (no stamps) keeps its order, and lines added later are added alone', async () => {
    const file = join(sb.dir, 'plain_history');
    writeFileSync(file, 'echo plain-one\necho plain-two\necho plain-one\n');
    assert.match((await sb.trail(['import', 'bash', file])).stdout, /imported 3 /);
    writeFileSync(file, 'echo plain-one\necho plain-two\necho plain-one\necho plain-three\n');
    assert.match((await sb.trail(['import', 'bash', file])).stdout, /imported 1 command\(s\).*; 3 were imported before/);
    const hits = await sb.search<Cmd>(['echo plain-']);
    assert.deepEqual(
      hits.sort((a, b) => a.startedAt - b.startedAt).map((h) => h.command),
      ['echo plain-one', 'echo plain-two', 'echo plain-one', 'echo plain-three'],
    );
  });

  test('zsh extended history: start, duration, multi-line commands and metafied bytes', async () => {
    // zsh writes bytes 0x83..0xa2 as 0x83 then the byte xor 0x20: "→" (e2 86 92) becomes e2 83 a6 83 b2.
    const arrow = Buffer.from([0xe2, 0x83, 0xa6, 0x83, 0xb2]);
    const text = Buffer.concat([
      Buffer.from(': 1700001000:7;make test\n: 1700001100:0;for f in a b; do\\\necho $f\\\ndone\n: 1700001200:0;echo '),
      arrow,
      Buffer.from(' zsh-arrow\n'),
    ]);
    const file = join(sb.dir, 'zsh_history');
    writeFileSync(file, text);
    assert.match((await sb.trail(['import', 'zsh', file])).stdout, /imported 3 /);
    const make = (await sb.search<Cmd>(['make test']))[0];
    assert.equal(make.durationMs, 7000);
    assert.equal(make.startedAt, 1700001000 * 1000);
    assert.equal((await sb.search<Cmd>(['for f in a b']))[0].command, 'for f in a b; do\necho $f\ndone');
    assert.equal((await sb.search<Cmd>(['zsh-arrow']))[0].command, 'echo → zsh-arrow');
    const log = await sb.trail(['log', '-a', '-n', '100']);
    assert.match(log.stdout, /── imported from zsh/);
  });

  test('fish history, escapes and all', async () => {
    const file = join(sb.dir, 'fish_history');
    writeFileSync(file, '- cmd: git status\n  when: 1700002000\n- cmd: echo fish\\\\nline\\nsecond\n  when: 1700002100\n  paths:\n    - fish\n');
    assert.match((await sb.trail(['import', 'fish', file])).stdout, /imported 2 /);
    const g = (await sb.search<Cmd>(['git status']))[0];
    assert.equal(g.startedAt, 1700002000 * 1000);
    assert.equal((await sb.search<Cmd>(['echo fish']))[0].command, 'echo fish\\nline\nsecond');
  });

  test("Atuin's database: directory, exit status, duration and host come along; deleted entries do not", async () => {
    const file = join(sb.dir, 'history.db');
    const db = new Database(file);
    // The schema of Atuin's history table (its migrations), with deleted_at added later.
    db.exec(`create table if not exists history (
      id text primary key, timestamp integer not null, duration integer not null, exit integer not null,
      command text not null, cwd text not null, session text not null, hostname text not null, deleted_at integer,
      unique(timestamp, cwd, command))`);
    const add = db.prepare('insert into history values (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    add.run('01a', 1700003000n * 1_000_000_000n, 2_500_000_000, 0, 'npm run build', '/srv/app', 's1', 'buildbox:ana', null);
    add.run('01b', 1700003100n * 1_000_000_000n, 120_000_000, 2, 'npm test -- atuin-fail', '/srv/app', 's1', 'buildbox:ana', null);
    add.run('01c', 1700003200n * 1_000_000_000n, 1_000_000, 0, 'echo atuin-deleted', '/srv/app', 's1', 'buildbox:ana', 1700003300n * 1_000_000_000n);
    db.close();
    const r = await sb.trail(['import', 'atuin', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /imported 2 /);
    const build = (await sb.search<Cmd>(['npm run build']))[0];
    assert.equal(build.cwd, '/srv/app');
    assert.equal(build.durationMs, 2500);
    assert.equal(build.exitCode, 0);
    assert.equal(build.host, 'buildbox');
    const failed = await sb.search<Cmd>(['atuin-fail', '--failed', '--dir', '/srv/app']);
    assert.equal(failed.length, 1);
    assert.equal(failed[0].exitCode, 2);
    assert.equal((await sb.search<Cmd>(['atuin-deleted'])).length, 0);
    const shown = await sb.trail(['show', String(build.id)]);
    assert.match(shown.stdout, /imported from atuin, ran on buildbox, took 2\.5s, ok/);
    assert.match((await sb.trail(['import', 'atuin', file])).stdout, /imported 0 .*2 were imported before/);
  });

  test('bad input: an unknown source, a missing file, a file that is not Atuin’s', async () => {
    const unknown = await sb.trail(['import', 'tcsh']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /import needs the history to read: bash, zsh, fish or atuin/);
    const missing = await sb.trail(['import', 'zsh', join(sb.dir, 'nope')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no zsh history at .*nope; name the file/);
    const notDb = join(sb.dir, 'not-a-db');
    writeFileSync(notDb, 'hello');
    const bad = await sb.trail(['import', 'atuin', notDb]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /not an Atuin history database|cannot open .* as Atuin's database/);
  });
});
