// What trail promises about secrets, its marks and what a terminal shows:
// no seeded secret reaches any file under TRAIL_HOME, the nonce that signs
// marks is never kept, replayed or left in the shell's environment, and
// nothing trail prints can drive the reader's terminal.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox, PtyClient, BIN, eventually, runCommand } from './helpers.js';

type Cmd = { id: number; command: string; endedAt: number | null; endReason: string | null; output?: string; raw?: string | null; exitCode: number | null };

const run = (sb: Sandbox, c: PtyClient, session: string, keys: string) => runCommand<Cmd>(sb, c, session, keys);

/** Every file under dir, recursively. */
function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

describe('secrets', () => {
  test('a dozen secrets seeded through every path reach no byte of any file under TRAIL_HOME', async () => {
    const sb = new Sandbox();
    const s = {
      ghp: 'ghp_' + 'Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8',
      ghpColour: 'ghp_' + 'Z9x8C7v6B5n4M3l2K1j0H9g8F7d6S5a4P3o2',
      grep: 'ghp_' + 'Grep0grep1grep2grep3grep4grep5grep6gr',
      aws: 'AKIA' + 'QWERTYUIOPASDFGH',
      slack: 'xoxb-' + '1234567890-abcdefghijKLMN',
      stripe: 'sk_live_' + 'abcdefghijklmnopqrstu123',
      npm: 'npm_' + 'abcdefghijklmnopqrstuvwxyz0123456789',
      pw: 'hunter2-' + 'correct-horse',
      flag: 'flagpass-' + '998877',
      term: 'glpat-' + 'TerminalCommand01234567',
      dir: 'AKIA' + 'DIRECTORYNAME123',
      pem: 'MIIEpQIBAAKCAQEA' + 'pemBodyLine',
      drawn: 'drawnover-' + 'secret9876',
    };
    sb.file('.bashrc', "PS1='sec$ '\n");
    writeFileSync(join(sb.userHome, 'tokens.txt'), `line with ${s.grep} in it\n`);
    // A secret a carriage return draws over: the screen shows `progress=<secret>`, without its keyword.
    writeFileSync(join(sb.userHome, 'drawn.sh'), `printf 'password=${s.drawn}\\rprogress\\n'\n`);
    try {
      await sb.startDaemon();
      await sb.trail(['new', 'sec', '-d', '--dir', sb.userHome]);
      const c = sb.attach(['attach', 'sec'], { cols: 200, rows: 40 });
      await c.waitFor('sec$');
      await run(sb, c, 'sec', `echo "deploy ${s.ghp}"\r`);
      await run(sb, c, 'sec', `printf 'tok: \\e[1m%s\\e[0m\\n' ${s.ghpColour}\r`);
      await run(sb, c, 'sec', `grep --color=always ghp_ tokens.txt\r`);
      await run(sb, c, 'sec', `export AWS_ACCESS_KEY_ID=${s.aws} SLACK=${s.slack}; echo $SLACK\r`);
      await run(sb, c, 'sec', `echo ${s.stripe} ${s.npm}\r`);
      await run(sb, c, 'sec', `echo password=${s.pw}; mysql --password ${s.flag} 2>/dev/null; true\r`);
      await run(sb, c, 'sec', `printf -- '-----BEGIN RSA PRIVATE KEY-----\\n${s.pem}\\n-----END RSA PRIVATE KEY-----\\n'\r`);
      await run(sb, c, 'sec', `sh drawn.sh\r`);
      mkdirSync(join(sb.userHome, s.dir));
      await run(sb, c, 'sec', `cd ${s.dir}\r`);
      await run(sb, c, 'sec', `pwd; cd ~\r`);
      // a terminal's own command line, kept with the terminal and its events
      const t = await sb.trail(['new', 'sec2', '-d', '--dir', sb.userHome, '--', 'sh', '-c', `echo ${s.term}; sleep 30`]);
      assert.equal(t.code, 0, t.stderr);
      // a session named like a secret is refused, and the refusal is not logged with it
      const named = await sb.trail(['new', s.npm, '-d', '--dir', sb.userHome]);
      assert.notEqual(named.code, 0);
      assert.match(named.stderr, /looks like a secret/);
      // the redacted forms are what is kept
      const colour = await sb.search<Cmd>(['tok:']);
      const shown = await sb.json<Cmd>(['show', String(colour[0].id), '--json']);
      assert.equal(shown.raw, 'tok: \x1b[1m[REDACTED]\x1b[0m\r\n');
      c.type('\x1c');
      await c.left();
      await sb.trail(['daemon', 'stop']); // the WAL is checkpointed into the database file
      const all = files(sb.home);
      assert.ok(all.some((f) => f.endsWith('trail.db')) && all.some((f) => f.endsWith('daemon.log')), all.join(' '));
      for (const f of all) {
        const bytes = readFileSync(f);
        for (const [name, secret] of Object.entries(s)) assert.equal(bytes.indexOf(secret), -1, `${name} (${secret}) found in ${f}`);
      }
    } finally {
      await sb.cleanup();
    }
  });
});

describe('the nonce that signs marks', () => {
  const sb = new Sandbox();
  let c: PtyClient;
  let nonce = '';
  before(async () => {
    sb.file('.bashrc', "PS1='n$ '\n");
    await sb.startDaemon();
    await sb.trail(['new', 'n', '-d', '--dir', sb.userHome]);
    c = sb.attach(['attach', 'n'], { cols: 150, rows: 30 });
    await c.waitFor('n$');
    // The user may read it (a process running as the user is trusted); a leading space keeps this out of the trail.
    c.type(' echo "N=[$__trail_nonce]"\r');
    nonce = /N=\[([0-9a-f]{16,})\]/.exec(await c.waitFor(/N=\[[0-9a-f]{16,}\]/))![1];
  });
  after(async () => {
    c.type('\x1c');
    await c.left();
    await sb.cleanup();
  });

  test('is not in the shell’s environment as /proc shows it, nor in a file left behind', async () => {
    const r = await run(sb, c, 'n', 'echo "pid=$$"\r');
    const pid = /pid=(\d+)/.exec(r.output!)![1];
    const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    assert.ok(!environ.includes(nonce), 'the nonce is in /proc/PID/environ');
    const fileVar = /(?:^|\0)TRAIL_NONCE_FILE=([^\0]*)/.exec(environ);
    if (fileVar) assert.ok(!existsSync(fileVar[1]), `the nonce file ${fileVar[1]} is still there`);
  });

  test('never reaches a client: the attached terminal gets no trail mark', async () => {
    await run(sb, c, 'n', 'echo one; echo two\r');
    assert.ok(!c.raw.includes('633;'), 'a trail mark reached the client');
    assert.equal(c.raw.split(nonce).length - 1, 1, 'the nonce reached the client other than by our own echo of it');
  });

  test('is kept in no output, so replaying a command’s raw output forges nothing', async () => {
    const r = await run(sb, c, 'n', "printf 'plain \\e[32mgreen\\e[0m\\n'\r");
    assert.ok(!(r.raw ?? '').includes('633;'), JSON.stringify(r.raw));
    assert.ok(!(r.raw ?? '').includes(nonce));
    const show = await sb.trail(['show', String(r.id), '--raw']);
    assert.ok(!show.stdout.includes(nonce));
    // `trail show --raw` of it in the very terminal that made it: one record, its own
    const replay = await run(sb, c, 'n', `node ${BIN} show ${r.id} --raw\r`);
    assert.equal(replay.command, `node ${BIN} show ${r.id} --raw`);
    assert.equal(replay.exitCode, 0);
    assert.match(replay.output!, /plain green/);
    const db = readFileSync(join(sb.home, 'trail.db'));
    assert.equal(db.indexOf(nonce), -1, 'the nonce is in trail.db');
  });

  test('a bash `false` prints nothing and is kept as zero bytes of output', async () => {
    const r = await run(sb, c, 'n', 'false\r');
    assert.equal(r.output, '');
    assert.equal((r as unknown as { outputBytes: number }).outputBytes, 0);
  });
});

describe('trail off and trail on', () => {
  test('stop and restart recording one terminal, visibly; the trail keeps only the pause', async () => {
    const sb = new Sandbox();
    sb.file('.bashrc', "PS1='off$ '\n");
    try {
      await sb.startDaemon();
      await sb.trail(['new', 'off', '-d', '--dir', sb.userHome]);
      const c = sb.attach(['attach', 'off'], { cols: 160, rows: 30 });
      await c.waitFor('off$');
      const off = await run(sb, c, 'off', `node ${BIN} off\r`);
      assert.match(off.output!, /recording is OFF for terminal 0 of off/);
      await c.waitFor('off$');
      c.type('echo kept-out-while-off\r');
      c.type(`node ${BIN} on\r`);
      await c.waitFor(/recording is on again for terminal 0 of off/);
      const after = await run(sb, c, 'off', 'echo recorded-after-on\r');
      assert.equal(after.command, 'echo recorded-after-on');
      const all = await sb.json<Cmd[]>(['log', 'off', '--json']);
      assert.ok(!all.some((x) => x.command.includes('kept-out') || x.command.endsWith(' on')), JSON.stringify(all.map((x) => x.command)));
      const text = await sb.trail(['log', 'off']);
      assert.match(text.stdout, /‖ recording paused in off terminal 0 from \d{4}-\d\d-\d\d [\d:]+ to \d{4}-\d\d-\d\d [\d:]+\n.*echo recorded-after-on/s);
      c.type('\x1c');
      await c.left();
    } finally {
      await sb.cleanup();
    }
  });
});

describe('what the CLI prints cannot drive the terminal', () => {
  test('a directory name with escape sequences is shown escaped by ls, log and show; raw output keeps colours only', async () => {
    const sb = new Sandbox();
    sb.file('.bashrc', "PS1='esc$ '\n");
    const evil = join(sb.userHome, 'd\x1b[31mRED\x07\x1b]0;pwned\x07');
    mkdirSync(evil);
    try {
      await sb.startDaemon();
      const n = await sb.trail(['new', 'esc', '-d', '--dir', evil]);
      assert.equal(n.code, 0, n.stderr);
      assert.ok(!/[\x07\x1b]/.test(n.stdout), JSON.stringify(n.stdout));
      const ls = await sb.trail(['ls']);
      assert.ok(!/[\x07\x1b]/.test(ls.stdout), JSON.stringify(ls.stdout));
      assert.match(ls.stdout, /d\\e\[31mRED\\x07\\e\]0;pwned\\x07/);
      const c = sb.attach(['attach', 'esc'], { cols: 150, rows: 30 });
      await c.waitFor('esc$');
      const r = await run(sb, c, 'esc', "printf '\\e[31mred\\e[0m \\e]52;c;cHduZWQ=\\a \\e]0;title\\a \\e[2Jdone\\n'\r");
      for (const args of [['log', 'esc'], ['show', String(r.id)], ['search', 'printf']]) {
        const o = await sb.trail(args);
        assert.ok(!/[\x07\x1b\x9b]/.test(o.stdout), `${args.join(' ')}: ${JSON.stringify(o.stdout)}`);
      }
      const raw = (await sb.trail(['show', String(r.id), '--raw'])).stdout;
      assert.ok(raw.includes('\x1b[31mred\x1b[0m'), 'colours pass in show --raw');
      assert.ok(!raw.includes('\x1b]') && !raw.includes('\x07') && !raw.includes('\x1b[2J'), JSON.stringify(raw));
      c.type('\x1c');
      await c.left();
    } finally {
      await sb.cleanup();
    }
  });

  test('names with bidirectional overrides are refused like control characters', async () => {
    const sb = new Sandbox();
    try {
      const r = await sb.trail(['new', 'invoice\u202Efdp.exe', '-d', '--dir', sb.userHome]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /bidirectional/);
    } finally {
      await sb.cleanup();
    }
  });
});

describe('the daemon', () => {
  test('five CLIs that start it at once all reach the one daemon; stop leaves none running', async () => {
    for (let round = 0; round < 6; round++) {
      const sb = new Sandbox();
      try {
        const rs = await Promise.all(Array.from({ length: 5 }, () => sb.trail(['daemon', 'start'])));
        for (const r of rs) assert.equal(r.code, 0, `round ${round}: ${r.stderr}`);
        const st = await sb.json<{ pid: number }>(['daemon', 'status', '--json']);
        const stop = await sb.trail(['daemon', 'stop']);
        assert.equal(stop.code, 0, stop.stderr);
        assert.throws(() => process.kill(st.pid, 0), 'the daemon process is gone once stop returns');
        assert.ok(!existsSync(join(sb.home, 'daemon.sock')));
        const daemons = readdirSync('/proc')
          .filter((p) => /^\d+$/.test(p))
          .filter((p) => {
            try {
              return readFileSync(`/proc/${p}/environ`, 'latin1').includes(`TRAIL_HOME=${sb.home}\0`) && readFileSync(`/proc/${p}/cmdline`, 'latin1').includes('server/main.js');
            } catch {
              return false;
            }
          });
        assert.deepEqual(daemons, [], `round ${round}: daemons still running`);
      } finally {
        await sb.cleanup();
      }
    }
  });

  test('closes the file descriptors it inherits, so shells do not get them either', async () => {
    const sb = new Sandbox();
    try {
      // The CLI that starts the daemon has fd 200 open without close-on-exec, as a shell's `exec 3<file` leaves it.
      const pipe = join(sb.dir, 'inherited.txt');
      writeFileSync(pipe, 'x');
      // (Node marks low fds close-on-exec at its start, but not fd 200 or the 251 seen in the wild.)
      const child = spawn('bash', ['-c', `exec 200<"$0"; exec "$1" "$2" new fd -d --dir "$3"`, pipe, process.execPath, BIN, sb.userHome], {
        env: sb.env,
        stdio: 'ignore',
      });
      await new Promise((r) => child.on('exit', r));
      const { pid } = await sb.json<{ pid: number }>(['daemon', 'status', '--json']);
      const [term] = await sb.json<{ pid: number }[]>(['term', 'ls', 'fd', '--json']);
      const targets = (p: number) =>
        readdirSync(`/proc/${p}/fd`).map((f) => {
          try {
            return readlinkSync(`/proc/${p}/fd/${f}`);
          } catch {
            return '';
          }
        });
      assert.ok(!targets(pid).includes(pipe), `the daemon holds ${pipe}`);
      assert.ok(!targets(term.pid).includes(pipe), `the shell holds ${pipe}`);
      assert.match(readFileSync(join(sb.home, 'daemon.log'), 'utf8'), /closed file descriptor\(s\) [\d, ]*\b200\b[\d, ]* inherited/);
    } finally {
      await sb.cleanup();
    }
  });
});

describe('limits that keep one bad input from hurting everyone', () => {
  test('half frames held open by 40 connections cost the daemon at most 64 MiB, and it keeps answering', async () => {
    const sb = new Sandbox();
    try {
      await sb.startDaemon();
      const before = (await sb.json<{ rss: number }>(['daemon', 'status', '--json'])).rss;
      const socks: net.Socket[] = [];
      const closed: string[] = [];
      await Promise.all(
        Array.from({ length: 40 }, () => {
          const s = net.connect(join(sb.home, 'daemon.sock'));
          socks.push(s);
          let said = '';
          s.on('data', (d) => (said += d.toString('latin1')));
          s.on('close', () => closed.push(said));
          s.on('error', () => {});
          // a 16 MiB frame announced, 3 MiB of it sent, then nothing
          const head = Buffer.alloc(5);
          head.writeUInt32BE(16 * 1024 * 1024, 0);
          head[4] = 2;
          return new Promise<void>((r) => s.write(Buffer.concat([head, Buffer.alloc(3 * 1024 * 1024)]), () => r()));
        }),
      );
      const st = await eventually(async () => {
        const v = await sb.json<{ rss: number }>(['daemon', 'status', '--json']);
        return closed.length >= 18 ? v : null;
      }, 'connections over the limit to be closed');
      assert.ok(closed.some((m) => m.includes('unfinished frames are held')), closed[0]);
      assert.ok(st.rss - before < 200 * 1024 * 1024, `rss grew by ${((st.rss - before) / 1048576).toFixed(0)} MiB`);
      for (const s of socks) s.destroy();
    } finally {
      await sb.cleanup();
    }
  });

  test('a backtracking redaction pattern in config cannot stall recording; one RE2 cannot run is refused', async () => {
    const sb = new Sandbox();
    sb.file('.bashrc', "PS1='re$ '\n");
    mkdirSync(sb.home, { recursive: true, mode: 0o700 });
    writeFileSync(join(sb.home, 'config.yaml'), "redact:\n  patterns: ['(a+)+$', 'corp-[0-9]{6}']\n");
    try {
      await sb.startDaemon();
      await sb.trail(['new', 're', '-d', '--dir', sb.userHome]);
      const c = sb.attach(['attach', 're'], { cols: 150, rows: 30 });
      await c.waitFor('re$');
      const r = await run(sb, c, 're', "printf 'a%.0s' $(seq 1 30000); echo '!'; echo corp-123456\r");
      assert.match(r.output!, /^a{1000}/);
      assert.match(r.output!, /\[REDACTED\]$/);
      c.type('\x1c');
      await c.left();
      await sb.trail(['daemon', 'stop', '--force']);
      writeFileSync(join(sb.home, 'config.yaml'), "redact:\n  patterns: ['(a)\\1']\n");
      const bad = await sb.trail(['daemon', 'start']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /redact.patterns: .* is not a regular expression trail can run in linear time .*without back-references or lookaround/);
    } finally {
      await sb.cleanup();
    }
  });
});
