// The CLI never surprises: help everywhere, clear words for bad input and
// empty results, one exit-code rule, and the session it means when none is
// named, as a person meets them.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox, ROOT, runCommand } from './helpers.js';

type Cmd = { id: number; command: string; endedAt: number | null; endReason: string | null; match?: { field: string; line: number; excerpt: string } | null };

describe('the CLI', () => {
  const sb = new Sandbox();
  after(async () => {
    await sb.cleanup();
  });

  test('every subcommand answers --help, -h and trail help NAME, listing every option it takes', async () => {
    const top = await sb.trail(['help']);
    const names = [...top.stdout.matchAll(/^ {2}trail (\w+)/gm)].map((m) => m[1]);
    assert.ok(names.length >= 12, top.stdout);
    for (const name of names) {
      const viaFlag = await sb.trail([name, '--help']);
      assert.equal(viaFlag.code, 0, `${name} --help: ${viaFlag.stderr}`);
      assert.match(viaFlag.stdout, new RegExp(`^usage: trail ${name}`), name);
      assert.match(viaFlag.stdout, /-h, --help/);
      assert.equal((await sb.trail([name, '-h'])).stdout, viaFlag.stdout, `${name} -h`);
      assert.equal((await sb.trail(['help', name])).stdout, viaFlag.stdout, `help ${name}`);
    }
    const log = (await sb.trail(['log', '--help'])).stdout;
    for (const opt of ['-a, --all', '-n, --limit N', '--since TIME', '--until TIME', '--dir DIR', '--branch B', '--failed', '--json', '-s, --session S'])
      assert.ok(log.includes(opt), `log --help lists ${opt}:\n${log}`);
    assert.match((await sb.trail(['attach', '--help'])).stdout, /--detach-key KEY/);
    assert.equal(existsSync(join(sb.home, 'daemon.sock')), false, 'help starts no daemon');
  });

  test('trail ls with no daemon running says so and starts none', async () => {
    const r = await sb.trail(['ls']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /no trail daemon is running/);
    assert.deepEqual(JSON.parse((await sb.trail(['ls', '--json'])).stdout), []);
    assert.equal(existsSync(join(sb.home, 'daemon.sock')), false);
  });

  test('-n with a bad number says what it takes, in words', async () => {
    for (const n of ['0', 'abc', '-3', '2.5']) {
      const r = await sb.trail(['log', '-a', `-n${n}`]);
      assert.equal(r.code, 2, `-n ${n}`);
      assert.match(r.stderr, new RegExp(`^trail log: -n takes a whole number from 1 to 10000, not "${n.replace('.', '\\.')}"`), r.stderr);
      assert.doesNotMatch(r.stderr, /Too small|expected number/);
    }
    const s = await sb.trail(['search', 'x', '-n', 'lots']);
    assert.match(s.stderr, /-n takes a whole number from 1 to 1000/);
  });

  describe('with a session', () => {
    const project = join(sb.userHome, 'proj');
    before(async () => {
      mkdirSync(project, { recursive: true });
      await sb.startDaemon();
      await sb.trail(['new', 'clisess', '-d', '--dir', project]);
    });

    test('search --in output reports the output line; search exits 1 on no match, with --json too', async () => {
      const c = sb.attach(['attach', 'clisess'], { cols: 120, rows: 30 });
      await runCommand<Cmd>(sb, c, 'clisess', "printf 'first\\nthe %s is here\\n' needle-cmd\r");
      const hits = await sb.json<Cmd[]>(['search', 'needle-cmd', '--in', 'output', '--json']);
      assert.equal(hits.length, 1);
      assert.deepEqual(hits[0].match, { field: 'output', line: 2, excerpt: 'the needle-cmd is here' });
      const text = await sb.trail(['search', 'needle-cmd', '--in', 'output']);
      assert.match(text.stdout, /output line 2: the needle-cmd is here/);
      const cmdOnly = await sb.json<Cmd[]>(['search', 'needle-cmd', '--in', 'command', '--json']);
      assert.equal(cmdOnly[0].match?.field, 'command');
      const none = await sb.trail(['search', 'no-such-thing-anywhere']);
      assert.equal(none.code, 1);
      const noneJson = await sb.trail(['search', 'no-such-thing-anywhere', '--json']);
      assert.equal(noneJson.code, 1);
      assert.deepEqual(JSON.parse(noneJson.stdout), []);
      const bad = await sb.trail(['search', 'x', '--in', 'outptu']);
      assert.match(bad.stderr, /--in takes command, output, logs or notes, not "outptu"/);
      // A filter that matches nothing says that, not that the trail is empty.
      const empty = await sb.trail(['log', '-a', '--branch', 'no-such-branch']);
      assert.equal(empty.stdout.trim(), 'no command in the trail matches these filters');
      c.type('\x1c');
      await c.left();
    });

    test('trail term ls outside a session uses the session for this directory; COMMAND shows the shell', async () => {
      const r = await sb.trail(['term', 'ls'], { cwd: project });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^0 +\S+ +\/bin\/bash /m);
      assert.doesNotMatch(r.stdout, /init-file|dist\//);
      const elsewhere = await sb.trail(['term', 'ls'], { cwd: sb.dir });
      assert.equal(elsewhere.code, 2);
      assert.match(elsewhere.stderr, /needs a session name/);
    });

    test('inside a session renamed since its shell started, commands mean the new name', async () => {
      const c = sb.attach(['attach', 'clisess'], { cols: 120, rows: 30 });
      await c.promptReady();
      assert.equal((await sb.trail(['rename', 'clisess', 'renamed-sess'])).code, 0);
      c.type('trail term ls; trail log | head -3; echo done-$((2+3))\r');
      const screen = await c.waitFor(/^done-5$/m);
      assert.match(screen, /^0 +\S+ +\/bin\/bash/m, screen);
      assert.doesNotMatch(screen, /no session named/);
      assert.equal((await sb.trail(['rename', 'renamed-sess', 'clisess'])).code, 0);
      c.type('\x1c');
      await c.left();
    });

    test('after --, search takes words that start with a dash; trail new inside a session refuses before creating anything', async () => {
      const dash = await sb.trail(['search', '--json', '--', '-cmd is']);
      assert.equal(dash.code, 0, dash.stderr);
      assert.equal((JSON.parse(dash.stdout) as Cmd[]).length, 1, 'the output line "the needle-cmd is here"');
      const c = sb.attach(['new', 'nested-x'], { cols: 100, rows: 30 }, { TRAIL_SESSION: 'clisess' });
      assert.equal(await c.left(), 1);
      assert.match(c.raw, /already inside trail session "clisess"; detach first, use -d/);
      assert.ok(!(await sb.json<{ name: string }[]>(['ls', '--json'])).some((x) => x.name === 'nested-x'), 'nothing was created');
      assert.match((await sb.trail(['new', '--help'])).stdout, /--dir DIR +the session's directory/);
    });

    test('with no daemon running, log, show, search and last read the store and start none', async () => {
      const before = await sb.json<Cmd[]>(['log', '-a', '--json']);
      assert.ok(before.length > 0);
      const hits = (await sb.search<Cmd>(['needle-cmd', '--in', 'output'])).map((h) => h.id);
      assert.equal((await sb.trail(['daemon', 'stop', '--force'])).code, 0);
      assert.equal((await sb.trail(['daemon', 'status'])).code, 3);
      const after = await sb.json<Cmd[]>(['log', '-a', '--json']);
      assert.deepEqual(after.map((c) => c.id), before.map((c) => c.id));
      const text = await sb.trail(['log', '-a']);
      assert.match(text.stdout, /needle-cmd/);
      assert.deepEqual((await sb.search<Cmd>(['needle-cmd', '--in', 'output'])).map((h) => h.id), hits);
      const shown = await sb.trail(['show', String(before[0].id)]);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, new RegExp(`^#${before[0].id} `));
      assert.equal((await sb.trail(['last', '-a'])).code, 0);
      assert.match((await sb.trail(['log', 'no-such-session'])).stderr, /no session named "no-such-session"/);
      assert.equal((await sb.trail(['daemon', 'status'])).code, 3, 'still no daemon');
      await sb.startDaemon();
    });

    test('trail is on PATH inside a session even when a login profile resets PATH', async () => {
      const profile = sb.file('.bash_profile', "PATH=/usr/bin:/bin\nPS1='$ '\n");
      try {
        await sb.trail(['new', 'pathsess', '-d', '--dir', project], { env: { PATH: `${join(ROOT, 'bin')}:${process.env.PATH}` } });
        const c = sb.attach(['attach', 'pathsess'], { cols: 120, rows: 30 });
        await c.promptReady();
        c.type('echo "[$(command -v trail)]"\r');
        await c.waitFor(`[${join(ROOT, 'bin', 'trail')}]`);
        c.type('\x1c');
        await c.left();
      } finally {
        rmSync(profile);
      }
    });
  });
});
