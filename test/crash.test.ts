// Nothing finished is lost: a daemon killed with SIGKILL at a random moment,
// while a shell in a git repository runs command after command, keeps every
// command whose end it had read. What the attach client was shown proves what
// the daemon had read: the client gets the bytes from the daemon. The native
// relay thread writes them to the client and queues them for the JavaScript
// side, which commits a record within one turn of its event loop after it
// handles the end mark; the relay reads no further while 64 marks (about ten
// commands' worth) are queued, and reads 4 KiB at a time while any are, so the
// test allows MARGIN commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox, eventually, sleep } from './helpers.js';

type Cmd = { id: number; command: string; endedAt: number | null; endReason: string | null; seq: number | null; exitCode: number | null };

const ROUNDS = Number(process.env.TRAIL_CRASH_ROUNDS ?? 20);
/** Every command the client saw end, but for this many before the newest, must be in the trail. */
const MARGIN = 32;

test(`kill -9 of the daemon in a git repository, ${ROUNDS} times at random moments: no finished command is lost`, async () => {
  const sb = new Sandbox();
  const repo = join(sb.dir, 'repo');
  mkdirSync(repo);
  const genv = { ...sb.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
  execFileSync('git', ['-C', repo, 'init', '-q', '-b', 'main'], { env: genv });
  for (let i = 0; i < 200; i++) writeFileSync(join(repo, `f${i}.txt`), `file ${i}\n`);
  execFileSync('git', ['-C', repo, 'add', '.'], { env: genv });
  execFileSync('git', ['-C', repo, 'commit', '-qm', 'files'], { env: genv });
  writeFileSync(join(repo, 'f0.txt'), 'dirty\n'); // git status has work to do
  sb.file('.bashrc', "PS1='crash$ '\n");
  const figures: string[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      await sb.startDaemon();
      const S = `crash${round}`;
      const loopLog = join(sb.dir, `loop-${round}.log`);
      await sb.trail(['new', S, '-d', '--dir', repo]);
      const c = sb.attach(['attach', S], { cols: 120, rows: 30 });
      await c.waitFor('crash$');

      const { pid } = await sb.json<{ pid: number }>(['daemon', 'status', '--json']);
      // Command lines as fast as bash reads them, each one a record of its own
      // and each running a program (a few hundred a second, as a script would).
      // The output `fin-N` is computed by the shell, so it can never be the echo of typed-ahead input.
      const lines = Array.from({ length: 2000 }, (_, i) => `echo ok-${i + 1} >> ${loopLog}; /bin/true; echo "fin-$((${i + 1}+0))"\r`).join('');
      c.type(lines);
      await c.waitFor(/fin-\d{2}\r/, 'raw');
      await sleep(Math.floor(Math.random() * 2000));
      process.kill(pid, 'SIGKILL');
      await c.left().catch(() => 0);
      // What the client was shown: each command's own output.
      const shown = [...c.raw.matchAll(/fin-(\d+)\r/g)].map((m) => Number(m[1]));
      const seenUpTo = Math.max(0, ...shown);
      const settled = seenUpTo - MARGIN;
      const finished = readFileSync(loopLog, 'utf8').trim().split('\n').length;
      await sb.startDaemon();
      const cmds = await sb.json<Cmd[]>(['log', S, '--json', '-n', '10000']);
      const byN = new Map<number, Cmd>();
      for (const x of cmds) {
        const m = /^echo ok-(\d+) >>/.exec(x.command);
        if (m) {
          assert.ok(!byN.has(Number(m[1])), `ok-${m[1]} recorded twice`);
          byN.set(Number(m[1]), x);
        }
      }
      const mustHave = settled;
      const missing: number[] = [];
      for (let n = 1; n <= mustHave; n++) if (!byN.get(n)?.endedAt) missing.push(n);
      assert.equal(
        missing.length,
        0,
        `round ${round}: the client saw up to ok-${seenUpTo}, the trail has up to ok-${Math.max(0, ...byN.keys())} (${[...byN.values()].filter((x) => !x.endedAt).map((x) => x.command.slice(5, 12) + ':' + x.endReason).join(' ')}); missing from the trail: ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ` (${missing.length} in all)` : ''}`,
      );
      // Every record is whole: ended with its status, or said to be lost, never silently open.
      for (const x of cmds)
        assert.ok(
          x.endedAt !== null || x.endReason !== null,
          `round ${round}: open record ${JSON.stringify(x)}; the client saw up to ok-${seenUpTo}; daemon.log ends:\n${sb.daemonLog().slice(-3000)}`,
        );
      const ended = cmds.filter((x) => x.endedAt !== null).length;
      figures.push(`round ${round}: ${finished} finished by the shell, client saw ${seenUpTo}, trail has ${ended} ended + ${cmds.length - ended} lost-while-running`);
      // The shell died with the daemon; its seq numbers have no gaps in what was written.
      const seqs = cmds.map((x) => x.seq!).filter((x) => x !== null);
      for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1] + 1, `round ${round}: a gap in the shell's sequence`);
      await sb.trail(['kill', S]);
    }
  } finally {
    if (process.env.TRAIL_CRASH_FIGURES) console.log(figures.join('\n'));
    await sb.cleanup();
  }
});

test('the next start marks what a killed daemon left running as lost, and the log says so', async () => {
  const sb = new Sandbox();
  sb.file('.bashrc', "PS1='lost$ '\n");
  try {
    await sb.startDaemon();
    await sb.trail(['new', 'lost', '-d', '--dir', sb.userHome]);
    const c = sb.attach(['attach', 'lost']);
    await c.waitFor('lost$');
    c.type('sleep 300 # the long build\r');
    await eventually(async () => (await sb.json<Cmd[]>(['log', 'lost', '--json'])).find((x) => x.command.includes('the long build')), 'the running command');
    const { pid } = await sb.json<{ pid: number }>(['daemon', 'status', '--json']);
    process.kill(pid, 'SIGKILL');
    await c.left().catch(() => 0);
    await sb.startDaemon();
    const [r] = (await sb.json<Cmd[]>(['log', 'lost', '--json'])).filter((x) => x.command.includes('the long build'));
    assert.equal(r.endedAt, null);
    assert.equal(r.exitCode, null);
    assert.match(r.endReason!, /daemon stopped/);
    const text = await sb.trail(['log', 'lost']);
    assert.match(text.stdout, /sleep 300 # the long build +lost/);
    // the client that was attached said the daemon went away, not that the session may still run
    assert.match(c.raw, /the trail daemon went away/);
    // the next attach says what happened, on the new shell's screen
    const again = sb.attach(['attach', 'lost'], { cols: 150, rows: 30 });
    const screen = await again.waitFor('lost$');
    assert.match(screen, /the daemon ended unexpectedly \(killed or crashed\)/);
    assert.match(screen, /`sleep 300 # the long build` was running and is lost \(trail show \d+\)/);
    again.type('\x1c');
    await again.left();
  } finally {
    await sb.cleanup();
  }
});

test('daemon stop asks for --force while a client is attached, tells the client why, and the next attach says the shells were ended by the stop', async () => {
  const sb = new Sandbox();
  sb.file('.bashrc', "PS1='stop$ '\n");
  try {
    await sb.startDaemon();
    await sb.trail(['new', 'st', '-d', '--dir', sb.userHome]);
    const c = sb.attach(['attach', 'st'], { cols: 150, rows: 30 });
    await c.waitFor('stop$');
    c.type('sleep 300 # still going\r');
    await eventually(async () => (await sb.json<Cmd[]>(['log', 'st', '--json'])).find((x) => x.command.includes('still going')), 'the running command');
    const refused = await sb.trail(['daemon', 'stop']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /would end 1 shell\(s\) \(1 client\(s\) attached; `sleep 300 # still going` running in st:0\); trail daemon stop --force/);
    assert.equal((await sb.trail(['daemon', 'status'])).code, 0, 'still running');
    const stop = await sb.trail(['daemon', 'stop', '--force']);
    assert.match(stop.stdout, /stopped the daemon \(pid \d+\); 1 shell\(s\) ended with it, 1 of them running a command \(kept as lost\)/);
    await c.left();
    assert.match(c.raw, /detached from st: the trail daemon was stopped \(trail daemon stop\); this session's shells ended with it/);
    assert.doesNotMatch(c.raw, /exited with code 0/);
    const [r] = (await sb.json<Cmd[]>(['log', 'st', '--json'])).filter((x) => x.command.includes('still going'));
    assert.equal(r.endReason, 'the daemon stopped');
    const again = sb.attach(['attach', 'st'], { cols: 150, rows: 30 });
    const screen = await again.waitFor('stop$');
    assert.match(screen, /the daemon was stopped \(trail daemon stop\) at .*the shell of this session ended with it/s);
    assert.match(screen, /`sleep 300 # still going` was running and is lost \(trail show \d+\)/);
    again.type('\x1c');
    await again.left();
  } finally {
    await sb.cleanup();
  }
});
