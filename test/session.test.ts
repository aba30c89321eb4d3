// The foundation as a user meets it: a real daemon, real bash in real PTYs,
// the real CLI attaching, detaching and coming back.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { LAUNCHER, PtyClient, Sandbox, eventually, sleep } from './helpers.js';
import { PROTOCOL_VERSION } from '../src/wire/protocol.js';
import { DaemonClient } from '../src/client/daemon-client.js';

type SessionJson = { name: string; dir: string; terminals: number; clients: number; createdAt: number; lastActiveAt: number };

// Everything a client does runs twice: with the native byte relay, and with
// the JavaScript path a daemon falls back to where the relay is not built.
for (const relay of ['native', 'js'] as const)
describe(`sessions and attach (${relay} byte relay)`, () => {
  const sb = new Sandbox(relay === 'js' ? { TRAIL_RELAY: 'js' } : {});
  before(async () => {
    await sb.startDaemon();
  });
  after(async () => {
    await sb.cleanup();
  });

  test('the daemon says how it moves bytes', async () => {
    const st = await sb.trail(['daemon', 'status']);
    assert.equal(st.code, 0, st.stderr);
    if (relay === 'native') assert.match(st.stdout, /bytes moved by the native relay/);
    else assert.match(st.stdout, /bytes moved by JavaScript \(TRAIL_RELAY=js\)/);
  });

  test('a client attaching while output streams gets every line once, in order', async () => {
    await sb.trail(['new', 'stream', '-d', '--dir', sb.userHome]);
    const a = sb.attach(['attach', 'stream']);
    await a.waitFor('$ ');
    a.type("seq -f 'n-%.0f' 1 1500000; echo stream-$((4*5))\r");
    await a.waitFor(/n-\d{5}/);
    // joins in the middle of the flood: the snapshot, then the live stream, with nothing lost or doubled between
    const b = sb.attach(['attach', 'stream']);
    await b.waitFor('stream-20', 'screen', 60_000);
    await a.waitFor('stream-20', 'screen', 60_000);
    for (const c of [a, b]) {
      // what each client received (b: the snapshot's lines, then the live stream) must be the numbers up to the last, each once, in order
      // (Notices and the rows redrawn under them sit between cursor save and restore: not the stream.)
      const stream = c.raw.replace(/\x1b7[\s\S]*?\x1b8/g, '');
      const seen = [...stream.matchAll(/n-(\d+)/g)].map((m) => Number(m[1]));
      assert.ok(seen.length > 10_000, `lines received: ${seen.length}`);
      const gap = seen.findIndex((n, i) => i > 0 && n !== seen[i - 1] + 1);
      // On a failure, the bytes around the gap as received (seen once in CI: two lines run together, not explained yet).
      const around = () => {
        const at = stream.indexOf(`n-${seen[gap - 1]}\r`);
        return JSON.stringify(stream.slice(Math.max(0, at - 200), at + 400));
      };
      assert.equal(gap, -1, gap < 0 ? '' : `n-${seen[gap]} came after n-${seen[gap - 1]} (client ${c === a ? 'a' : 'b, who joined'}); received around it: ${around()}`);
      assert.equal(seen.at(-1), 1500000);
    }
    a.type('\x1c');
    b.type('\x1c');
    await Promise.all([a.left(), b.left()]);
  });

  test('type in a session, detach, attach again: the output is on screen and in the scrollback', async () => {
    const r = await sb.trail(['new', 'work', '-d', '--dir', sb.userHome]);
    assert.equal(r.code, 0, r.stderr);
    const a = sb.attach(['attach', 'work']);
    await a.waitFor('$ ');
    a.type('for i in $(seq 1 120); do echo "line-$i"; done; echo MARK-ONE\r');
    await a.waitFor('MARK-ONE\n$');
    a.type('\x1c'); // Ctrl-\ detaches
    assert.equal(await a.left(), 0);
    assert.match(a.raw, /\[detached from work\]/);
    // the session goes on without any client
    const list = await sb.json<SessionJson[]>(['ls', '--json']);
    assert.equal(list.find((s) => s.name === 'work')?.clients, 0);

    const b = sb.attach(['attach', 'work']);
    const screen = await b.waitFor('MARK-ONE');
    assert.match(screen, /line-120/);
    const all = await b.allText();
    assert.match(all, /line-1\n/, 'early lines are in the scrollback');
    assert.ok(all.indexOf('line-1\n') < all.indexOf('line-120'), 'scrollback keeps order');
    b.type('echo again-$((40+2))\r');
    await b.waitFor('again-42');
    // Output that comes while nobody is attached is there on the next attach
    // (the screen is snapshotted ahead of time while idle; new output must replace that).
    b.type('sleep 1.5; echo late-$((50+5))\r');
    await sleep(200);
    b.type('\x1c');
    await b.left();
    await sleep(2500);
    const c = sb.attach(['attach', 'work']);
    await c.waitFor('late-55');
    c.type('\x1c');
    await c.left();
  });

  test('a large paste reaches the program whole and in order', async () => {
    // more than the PTY takes at once, so part of it waits in the daemon's queue
    const data = Array.from({ length: 40_000 }, (_, i) => `paste line ${i}\n`).join('');
    const out = join(sb.dir, 'pasted.txt');
    const script = `stty raw -echo; echo READY; head -c ${data.length} > '${out}'; echo PASTED-$((6*7)); sleep 60`;
    await sb.trail(['new', 'paste', '-d', '--dir', sb.userHome, '--', 'sh', '-c', script]);
    const a = sb.attach(['attach', 'paste']);
    await a.waitFor('READY');
    a.type(data);
    await a.waitFor('PASTED-42', 'screen', 30_000);
    assert.ok(readFileSync(out, 'utf8') === data, 'the pasted bytes arrived changed, reordered or cut');
    a.type('\x1c');
    await a.left();
    await sb.trail(['kill', 'paste']);
  });

  test('two clients see the same output; a read-only client cannot type', async () => {
    await sb.trail(['new', 'pair', '-d', '--dir', sb.userHome]);
    const a = sb.attach(['attach', 'pair']);
    const ro = sb.attach(['attach', 'pair', '--read-only']);
    await a.waitFor('$ ');
    await ro.waitFor('$ ');
    a.type('echo shared-$((6*7))\r');
    await a.waitFor('shared-42');
    await ro.waitFor('shared-42');
    ro.type('echo from-read-only\r');
    await sleep(500);
    assert.doesNotMatch(await a.screen(), /from-read-only/);
    assert.doesNotMatch(await ro.screen(), /from-read-only/);
    const list = await sb.json<SessionJson[]>(['ls', '--json']);
    assert.equal(list.find((s) => s.name === 'pair')?.clients, 2);
    // attaches are facts in the trail, with who and how
    const db = new Database(join(sb.home, 'trail.db'), { readonly: true });
    const events = db
      .prepare("SELECT e.kind, e.actor, e.data FROM events e JOIN sessions s ON s.id = e.session_id WHERE s.name = 'pair' ORDER BY e.id")
      .all() as { kind: string; actor: string | null; data: string }[];
    db.close();
    assert.deepEqual(events.map((e) => e.kind).slice(0, 2), ['session.created', 'terminal.started']);
    const attached = events.filter((e) => e.kind === 'client.attached');
    assert.equal(attached.length, 2);
    assert.ok(attached.every((e) => e.actor?.startsWith('cli:')));
    assert.deepEqual(attached.map((e) => JSON.parse(e.data).readOnly).sort(), [false, true]);
    ro.type('\x1c');
    a.type('\x1c');
    await Promise.all([a.left(), ro.left()]);
  });

  test('the shell exiting ends the terminal and the client says so', async () => {
    await sb.trail(['new', 'short', '-d', '--dir', sb.userHome]);
    const a = sb.attach(['attach', 'short']);
    await a.waitFor('$ ');
    a.type('exit 3\r');
    assert.equal(await a.left(), 0);
    assert.match(a.raw, /exited with code 3/);
    const terms = await sb.json<unknown[]>(['term', 'ls', 'short', '--json']);
    assert.equal(terms.length, 0);
  });

  test('ls --json lists name, dir, terminals, clients and times', async () => {
    await sb.trail(['new', 'listed', '-d', '--dir', sb.dir]);
    const list = await sb.json<SessionJson[]>(['ls', '--json']);
    const s = list.find((x) => x.name === 'listed');
    assert.ok(s);
    assert.equal(s.dir, sb.dir);
    assert.equal(s.terminals, 1);
    assert.equal(typeof s.createdAt, 'number');
    assert.ok(s.lastActiveAt >= s.createdAt);
  });

  test('unknown session: one line naming it and the existing ones, exit 1', async () => {
    const r = await sb.trail(['attach', 'nope'], {});
    assert.equal(r.code, 1);
    const k = await sb.trail(['kill', 'nope']);
    assert.equal(k.code, 1);
    assert.equal(k.stderr.trim().split('\n').length, 1);
    assert.match(k.stderr, /no session named "nope"; sessions: .*work/);
  });

  test('names with / or control characters are refused with the rule', async () => {
    const r = await sb.trail(['new', 'a/b', '-d']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refused: a name is 1-64 characters, with no "\/"/);
    const c = await sb.trail(['new', 'bad\x07name', '-d']);
    assert.equal(c.code, 1);
    assert.match(c.stderr, /control characters/);
  });

  test('rename and kill', async () => {
    await sb.trail(['new', 'old', '-d', '--dir', sb.userHome]);
    assert.equal((await sb.trail(['rename', 'old', 'new-name'])).code, 0);
    let names = (await sb.json<SessionJson[]>(['ls', '--json'])).map((s) => s.name);
    assert.ok(names.includes('new-name') && !names.includes('old'));
    const exists = await sb.trail(['rename', 'new-name', 'work']);
    assert.match(exists.stderr, /exists already/);
    assert.equal((await sb.trail(['kill', 'new-name'])).code, 0);
    names = (await sb.json<SessionJson[]>(['ls', '--json'])).map((s) => s.name);
    assert.ok(!names.includes('new-name'));
    // the name is free again; a new session may take it
    assert.equal((await sb.trail(['new', 'new-name', '-d', '--dir', sb.userHome])).code, 0);
    assert.equal((await sb.trail(['kill', 'new-name'])).code, 0);
  });

  test('terminals: new, ls, switch while attached, kill', async () => {
    await sb.trail(['new', 'multi', '-d', '--dir', sb.userHome]);
    const t = await sb.json<{ index: number; id: string }>(['term', 'new', 'multi', '--json']);
    assert.equal(t.index, 1);
    const a = sb.attach(['attach', 'multi', '-t', '0']);
    await a.waitFor('$ ');
    a.type('echo in-zero\r');
    await a.waitFor('in-zero');
    a.type('\x1dn'); // prefix, n: next terminal
    await a.waitFor((s) => !s.includes('in-zero'));
    a.type('echo in-one\r');
    await a.waitFor('in-one');
    a.type('\x1d0');
    await a.waitFor('in-zero');
    a.type('\x1c');
    await a.left();
    const r = await sb.trail(['term', 'kill', 'multi', '1']);
    assert.equal(r.code, 0, r.stderr);
    await eventually(async () => (await sb.json<unknown[]>(['term', 'ls', 'multi', '--json'])).length === 1, 'terminal 1 gone');
  });

  test("a terminal's programs cannot reach another terminal's PTY", async () => {
    await sb.trail(['new', 'fds', '-d', '--dir', sb.userHome]);
    await sb.trail(['term', 'new', 'fds']); // started after the first: it must not inherit the first one's master
    const a = sb.attach(['attach', 'fds', '-t', '1']);
    await a.waitFor('$ ');
    a.type('clear; for f in /proc/$$/fd/*; do readlink $f; done | sort -u | tr "\\n" " "; echo fds-$((1+1))\r');
    const screen = await a.waitFor(/fds-2/);
    assert.match(screen, /\/dev\/pts\/\d+/, 'its own terminal is there');
    assert.doesNotMatch(screen, /ptmx/, 'no PTY master of another terminal');
    a.type('\x1c');
    await a.left();
  });

  test('when a terminal exits, its clients move to another terminal of the session', async () => {
    await sb.trail(['new', 'follow', '-d', '--dir', sb.userHome]);
    await sb.trail(['term', 'new', 'follow']);
    const a = sb.attach(['attach', 'follow', '-t', '0']);
    await a.waitFor('$ ');
    a.type('echo marker-zero\r');
    await a.waitFor('marker-zero');
    a.type('\x1d1'); // to terminal 1
    await a.waitFor((s) => !s.includes('marker-zero'));
    a.type('exit\r');
    await a.waitFor('marker-zero'); // back on terminal 0, still attached
    a.type('echo still-attached\r');
    await a.waitFor('still-attached');
    a.type('\x1c');
    assert.equal(await a.left(), 0);
  });

  test('the daemon works the client terminal itself: output and keys flow while the client process is stopped', async () => {
    await sb.trail(['new', 'direct', '-d', '--dir', sb.userHome]);
    const a = sb.attach(['attach', 'direct']);
    await a.waitFor('$ ');
    process.kill(a.proc.pid, 'SIGSTOP');
    try {
      a.type('echo direct-$((20+1))\r');
      await a.waitFor('direct-21');
    } finally {
      process.kill(a.proc.pid, 'SIGCONT');
    }
    a.type('\x1c');
    assert.equal(await a.left(), 0);
    assert.match(a.raw, /\[detached from direct\]/);
  });

  test('a client stopped with kill (SIGTERM) detaches cleanly: terminal restored, session kept', async () => {
    await sb.trail(['new', 'killed-client', '-d', '--dir', sb.userHome]);
    const a = sb.attach(['attach', 'killed-client']);
    await a.waitFor('$ ');
    a.type('echo before-kill-$((60+1))\r');
    await a.waitFor('before-kill-61');
    process.kill(a.proc.pid, 'SIGTERM');
    assert.equal(await a.left(), 0);
    assert.match(a.raw, /\[detached from killed-client: SIGTERM\]/);
    // the modes are reset before the goodbye line (cursor shown, scroll region reset)
    assert.match(a.raw, /\x1b\[\?25h[\s\S]*\[detached from killed-client/);
    const list = await sb.json<SessionJson[]>(['ls', '--json']);
    assert.equal(list.find((s) => s.name === 'killed-client')?.clients, 0);
    const b = sb.attach(['attach', 'killed-client']);
    await b.waitFor('before-kill-61');
    b.type('\x1c');
    await b.left();
  });

  test('with TRAIL_ATTACH_RELAY=1 the client relays: typing, switching and detaching work the same', async () => {
    await sb.trail(['new', 'relayed', '-d', '--dir', sb.userHome]);
    await sb.trail(['term', 'new', 'relayed']);
    const a = sb.attach(['attach', 'relayed', '-t', '0'], undefined, { TRAIL_ATTACH_RELAY: '1' });
    await a.waitFor('$ ');
    a.type('echo relay-$((30+3))\r');
    await a.waitFor('relay-33');
    a.type('\x1d1');
    await a.waitFor((s) => !s.includes('relay-33'));
    a.type('\x1d0');
    await a.waitFor('relay-33');
    // A stopped relaying client passes nothing: the bytes really go through it.
    process.kill(a.proc.pid, 'SIGSTOP');
    a.type('echo paused-$((40+4))\r');
    await sleep(600);
    assert.doesNotMatch(await a.screen(), /paused-44/);
    process.kill(a.proc.pid, 'SIGCONT');
    await a.waitFor('paused-44');
    a.type('\x1c');
    assert.equal(await a.left(), 0);
    assert.match(a.raw, /\[detached from relayed\]/);
  });

  test('a terminal claim that does not match is refused: the client is told to relay, and the log says why', async () => {
    await sb.trail(['new', 'claim', '-d', '--dir', sb.userHome]);
    process.env.TRAIL_HOME = sb.home;
    const c = await DaemonClient.connect({ start: false, client: 'test' });
    try {
      const attached = await new Promise<{ direct: boolean }>((resolve) => {
        c.onMessage = (m) => {
          if (m.t === 'attached') resolve(m);
        };
        // our own pid, but a device and inode that are not our stdin's
        c.send({ t: 'attach', session: 'claim', readOnly: false, client: 'test', cols: 80, rows: 24, keys: { detach: 0x1c, prefix: 0x1d }, tty: { pid: process.pid, dev: 1, ino: 1 } });
      });
      assert.equal(attached.direct, false);
      const got = await new Promise<string>((resolve) => {
        let s = '';
        c.onData = (b) => {
          s += b.toString();
          if (s.includes('claim-55')) resolve(s);
        };
        c.sendData(Buffer.from('echo claim-$((50+5))\r'));
      });
      assert.match(got, /claim-55/);
      await eventually(async () => /relaying instead of using its terminal directly/.test(readFileSync(join(sb.home, 'daemon.log'), 'utf8')), 'the log names the refusal');
    } finally {
      c.close();
      delete process.env.TRAIL_HOME;
    }
  });

  test('the window size follows the most recent client', async () => {
    await sb.trail(['new', 'sized', '-d', '--dir', sb.userHome]);
    const a = sb.attach(['attach', 'sized'], { cols: 90, rows: 25 });
    await a.waitFor('$ ');
    a.type('stty size\r');
    await a.waitFor('25 90');
    const b = sb.attach(['attach', 'sized'], { cols: 70, rows: 20 });
    await b.waitFor('$ ');
    b.type('stty size\r');
    await b.waitFor('20 70');
    b.type('\x1c');
    await b.left();
    a.type('stty size\r');
    await a.waitFor(/25 90[\s\S]*25 90/);
    a.type('\x1c');
    await a.left();
  });

  test('garbage, oversize and half frames close that connection only', async () => {
    await sb.trail(['new', 'steady', '-d', '--dir', sb.userHome]);
    const watcher = sb.attach(['attach', 'steady']);
    await watcher.waitFor('$ ');
    const sock = join(sb.home, 'daemon.sock');
    const sendRaw = (bytes: Buffer, end = true) =>
      new Promise<string>((resolve) => {
        const s = net.connect(sock);
        let got = '';
        s.on('data', (d) => (got += d.toString('latin1')));
        s.on('close', () => resolve(got));
        s.on('error', () => resolve(got));
        s.write(bytes);
        if (!end) setTimeout(() => s.destroy(), 300);
      });
    const garbage = await sendRaw(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    assert.match(garbage, /frame length \d+ is out of range/);
    const big = Buffer.alloc(5);
    big.writeUInt32BE(0x7fffffff, 0);
    big[4] = 1;
    assert.match(await sendRaw(big), /out of range/);
    const badJson = Buffer.concat([Buffer.from([0, 0, 0, 4, 1]), Buffer.from('{{{')]);
    assert.match(await sendRaw(badJson), /not valid JSON/);
    const noHello = Buffer.from(JSON.stringify({ t: 'call', id: 1, op: 'session.list', input: {} }));
    const h = Buffer.alloc(5);
    h.writeUInt32BE(noHello.length + 1, 0);
    h[4] = 1;
    assert.match(await sendRaw(Buffer.concat([h, noHello])), /first message must be hello/);
    await sendRaw(Buffer.from([0, 0, 0, 50, 1, 0x7b]), false); // half a frame, then gone
    // the daemon and the attached client carry on
    watcher.type('echo still-here\r');
    await watcher.waitFor('still-here');
    const list = await sb.json<SessionJson[]>(['ls', '--json']);
    assert.ok(list.some((s) => s.name === 'steady'));
    watcher.type('\x1c');
    await watcher.left();
  });

  test('a client of another protocol version is told to restart the daemon', async () => {
    const body = Buffer.from(JSON.stringify({ t: 'hello', version: 999, client: 'future' }));
    const h = Buffer.alloc(5);
    h.writeUInt32BE(body.length + 1, 0);
    h[4] = 1;
    const got = await new Promise<string>((resolve) => {
      const s = net.connect(join(sb.home, 'daemon.sock'));
      let out = '';
      s.on('data', (d) => (out += d));
      s.on('close', () => resolve(out));
      s.write(Buffer.concat([h, body]));
    });
    assert.match(got, new RegExp(`daemon is protocol version ${PROTOCOL_VERSION}, client is 999: restart the daemon`));
  });

  test('a second daemon start reports the running one', async () => {
    const r = await sb.trail(['daemon']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /already running \(pid \d+\)/);
    const st = await sb.trail(['daemon', 'status']);
    assert.match(st.stdout, /trail daemon .* pid \d+/);
  });

  test('the socket is owner-only in an owner-only directory', () => {
    assert.equal(statSync(join(sb.home, 'daemon.sock')).mode & 0o777, 0o600);
    assert.equal(statSync(sb.home).mode & 0o777, 0o700);
  });
});

describe('trail init', () => {
  test('prints the integration script of each shell', async () => {
    const sb = new Sandbox();
    try {
      for (const [shell, marker] of [['bash', '__trail_preexec'], ['zsh', 'preexec_functions'], ['fish', 'fish_preexec']] as const) {
        const r = await sb.trail(['init', shell]);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(r.stdout.includes(marker), `${shell}: ${r.stdout.slice(0, 200)}`);
      }
      assert.notEqual((await sb.trail(['init', 'tcsh'])).code, 0);
    } finally {
      await sb.cleanup();
    }
  });
});

describe('daemon lifecycle', () => {
  test('the CLI starts the daemon on demand; stop stops it; sessions are remembered', async () => {
    const sb = new Sandbox();
    try {
      const r = await sb.trail(['new', 'auto', '-d', '--dir', sb.userHome]);
      assert.equal(r.code, 0, r.stderr);
      assert.match((await sb.trail(['daemon', 'status'])).stdout, /1 session/);
      assert.match((await sb.trail(['daemon', 'stop'])).stdout, /stopped the daemon/);
      assert.equal((await sb.trail(['daemon', 'status'])).code, 3);
      // a new daemon knows the session and gives it a fresh shell on attach
      const list = await sb.json<SessionJson[]>(['ls', '--json']);
      assert.deepEqual(list.map((s) => s.name), ['auto']);
      const a = sb.attach(['attach', 'auto']);
      // typed only once attached: keys typed earlier meet a cooked tty, where Ctrl-\ is SIGQUIT
      await a.waitFor('$ ');
      a.type('echo revived-$((40+2))\r');
      await a.waitFor('revived-42');
      a.type('\x1c');
      await a.left();
    } finally {
      await sb.cleanup();
    }
  });

  test('a daemon that did not stop cleanly leaves no scratch dir behind after the next start', async () => {
    const sb = new Sandbox();
    try {
      await sb.trail(['new', 'crash', '-d', '--dir', sb.userHome]);
      const first = readFileSync(join(sb.home, 'run-dir'), 'utf8').trim();
      assert.ok(statSync(first).isDirectory());
      process.kill(Number(readFileSync(join(sb.home, 'daemon.lock'), 'utf8')), 'SIGKILL');
      await eventually(async () => ((await sb.trail(['daemon', 'status'])).code === 3 ? true : null), 'the daemon to be gone');
      assert.ok(existsSync(first), 'a killed daemon cannot clean up: the dir is still there');
      assert.equal((await sb.trail(['daemon', 'start'])).code, 0); // starts the next daemon
      assert.ok(!existsSync(first), `${first} was left behind`);
      const second = readFileSync(join(sb.home, 'run-dir'), 'utf8').trim();
      assert.notEqual(second, first);
      assert.ok(statSync(second).isDirectory());
      assert.match(readFileSync(join(sb.home, 'daemon.log'), 'utf8'), /removed .* the scratch dir a daemon that did not stop cleanly left/);
      await sb.trail(['daemon', 'stop']);
      assert.ok(!existsSync(second), 'a clean stop removes its scratch dir');
    } finally {
      await sb.cleanup();
    }
  });

  test('a lock naming a pid that is now another program does not keep the daemon from starting', async () => {
    const sb = new Sandbox();
    const other = spawn('sleep', ['30']);
    try {
      mkdirSync(sb.home, { recursive: true, mode: 0o700 });
      writeFileSync(join(sb.home, 'daemon.lock'), String(other.pid)); // as after a reboot
      const r = await sb.trail(['daemon', 'start']);
      assert.equal(r.code, 0, r.stderr);
      const st = await sb.trail(['daemon', 'status']);
      assert.equal(st.code, 0);
      assert.match(st.stdout, /trail daemon .*: pid \d+/);
      assert.doesNotMatch(st.stdout, new RegExp(`pid ${other.pid}\\b`));
    } finally {
      other.kill();
      await sb.cleanup();
    }
  });

  test('a daemon that cannot start says why in one line', async () => {
    const sb = new Sandbox();
    try {
      writeFileSync(join(sb.dir, 'afile'), 'x');
      const r = await sb.trail(['daemon', 'start'], { env: { TRAIL_HOME: join(sb.dir, 'afile', 'state') } });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /cannot create the state dir .*afile\/state.*set TRAIL_HOME/);
      const other = join(sb.dir, 'others');
      mkdirSync(other, { mode: 0o700 });
      chownSync(other, 65534, 65534);
      const o = await sb.trail(['daemon'], { env: { TRAIL_HOME: other } });
      assert.equal(o.code, 1);
      assert.match(o.stderr, /belongs to another user/);
      const badConfig = join(sb.dir, 'badcfg');
      mkdirSync(badConfig, { mode: 0o700 });
      writeFileSync(join(badConfig, 'config.yaml'), 'scrollback: lots\n');
      const c = await sb.trail(['daemon', 'start'], { env: { TRAIL_HOME: badConfig } });
      assert.equal(c.code, 1);
      assert.match(c.stderr, /could not start: .*config.yaml: scrollback: .*fix or remove the file/);
    } finally {
      await sb.cleanup();
    }
  });

  test('bin/trail runs the CLI without NODE_EXTRA_CA_CERTS and hands it back to the shells', async () => {
    const sb = new Sandbox();
    try {
      const certs = join(sb.dir, 'extra-ca.pem');
      writeFileSync(certs, '');
      // installed the way npm links a bin: a symlink to the launcher
      mkdirSync(join(sb.dir, 'bin'));
      const trail = join(sb.dir, 'bin', 'trail');
      symlinkSync(LAUNCHER, trail);
      const env = { ...sb.env, NODE_EXTRA_CA_CERTS: certs, PATH: `${dirname(process.execPath)}:${sb.env.PATH}` };
      execFileSync(trail, ['new', 'ca', '-d', '--dir', sb.userHome], { env });
      const c = new PtyClient(trail, ['attach', 'ca'], env, { cols: 100, rows: 30 });
      await c.waitFor('$ ');
      const clientEnv = readFileSync(`/proc/${c.proc.pid}/environ`, 'utf8').split('\0');
      assert.ok(!clientEnv.some((v) => v.startsWith('NODE_EXTRA_CA_CERTS=')), 'the attach client started with NODE_EXTRA_CA_CERTS');
      c.type('echo "ca=$NODE_EXTRA_CA_CERTS saved=${TRAIL_SAVED_NODE_EXTRA_CA_CERTS-none}"\r');
      await c.waitFor(`ca=${certs} saved=none`);
      c.type('\x1c');
      await c.left();
    } finally {
      await sb.cleanup();
    }
  });
});
