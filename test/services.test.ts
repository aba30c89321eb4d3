// Services with real processes: a python3 HTTP server with a port probe, a
// dependent that forks grandchildren and prints a secret, a crasher that is
// restarted until it gives up; stopping leaves nothing behind; a daemon killed
// with -9 leaves orphans that the next daemon stops, then starts those services again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Sandbox, eventually, BIN } from './helpers.js';

type Svc = { name: string; state: string; pid: number | null; startedAt: number | null; readyAt: number | null; restarts: number; reason: string | null; ports: number[] };

/** A project directory with this trail.yaml, the daemon started, and a session for it (detached); the directory. */
async function sessionWith(sb: Sandbox, name: string, yaml: string): Promise<string> {
  const project = join(sb.userHome, name);
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'trail.yaml'), yaml);
  await sb.startDaemon();
  await sb.trail(['new', name, '-d', '--dir', project]);
  return project;
}

/** The pids of the processes in a process group (from /proc). */
function group(pgid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

/** Local ports of connections to 127.0.0.1:port in TIME_WAIT (/proc/net/tcp, state 06). */
function timeWaitTo(port: number): number[] {
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length > 3 && f[3] === '06' && parseInt(f[2].split(':')[1], 16) === port)
    .map((f) => parseInt(f[1].split(':')[1], 16));
}

test('services: dependency order with a ready probe, logs redacted, restart then gave up with the reason, stop leaves nothing; orphans of a killed daemon are stopped', async () => {
  const sb = new Sandbox();
  const project = join(sb.userHome, 'proj');
  mkdirSync(project, { recursive: true });
  const port = 20000 + Math.floor(Math.random() * 12000);
  writeFileSync(
    join(project, 'trail.yaml'),
    `services:
  db:
    command: python3 -m http.server ${port} --bind 127.0.0.1
    ready: { port: ${port}, period: 100ms }
  api:
    command: "echo api up; echo token=ghp_abcdefghijklmnopqrstuvwxyz0123456789; sleep 300 & sleep 300 & wait"
    depends_on:
      db: { condition: ready }
  crash:
    command: "echo boom >&2; exit 3"
    # Never ready (its line never comes): trail up follows it until it gives up, however fast the others are.
    ready: { log: never-printed }
    backoff: { initial: 100ms, max: 200ms }
    max_restarts: 2
`,
  );
  try {
    await sb.startDaemon();
    assert.equal((await sb.trail(['new', 'proj', '-d', '--dir', project])).code, 0);
    const up = await sb.trail(['up', '--session', 'proj']);
    assert.equal(up.code, 1, 'one service gave up');
    assert.match(up.stdout, /starting 3 services of proj:/);
    assert.match(up.stdout, /db +ready in /);
    // Its probe's connections were reset, not closed: none holds a port of its own for a minute (TIME_WAIT).
    assert.deepEqual(timeWaitTo(port), [], 'connections to the probed port left waiting');
    assert.match(up.stdout, /api +up for 1\.\ds \(no ready probe\)/);
    assert.match(up.stdout, /crash +gave up: exited with code 3 after 2 restart\(s\)\n/, 'its last lines are boxed below, not in the reason too');
    assert.match(up.stdout, /│ boom/);
    // The trail says what happened, in time order.
    const log = (await sb.trail(['log', 'proj'])).stdout;
    assert.match(log, /◆ \d\d:\d\d:\d\d db: ready in \d+\.\d s/);
    assert.match(log, /◆ \d\d:\d\d:\d\d crash: gave up after 2 restart\(s\): boom/);
    assert.ok(log.indexOf('db: ready') < log.indexOf('api: started'), log);
    const list = await sb.json<{ file: string; services: Svc[] }>(['svc', 'ls', '--session', 'proj', '--json']);
    assert.equal(list.file, join(project, 'trail.yaml'));
    const by = Object.fromEntries(list.services.map((s) => [s.name, s]));
    assert.ok(by.api.startedAt! >= by.db.readyAt!, 'api started only once db answered on its port');
    assert.equal(by.crash.restarts, 2);
    assert.match(by.crash.reason!, /; last output: boom$/, "the last run's lines, not every run's");
    assert.deepEqual(by.db.ports, [port], 'the port db listens on, found in /proc');
    // Output is kept, a line a row, redacted.
    const logs = await sb.trail(['svc', 'logs', 'api', '--session', 'proj']);
    assert.match(logs.stdout, /out api up/);
    assert.match(logs.stdout, /token=\[REDACTED\]/);
    assert.doesNotMatch(logs.stdout, /ghp_/);
    // …and searchable beside the commands.
    const found = await sb.trail(['search', 'boom', '--in', 'logs']);
    assert.equal(found.code, 0, found.stderr);
    assert.match(found.stdout, /proj\/crash err boom/);
    const hits = JSON.parse((await sb.trail(['search', 'api up', '--svc', 'api', '--json'])).stdout) as { service: string; line: string }[];
    assert.deepEqual(hits.map((h) => [h.service, h.line]), [['api', 'api up']]);
    assert.equal((await sb.trail(['search', 'ghp_', '--in', 'logs'])).code, 1);
    // Searched among commands only, a text only services wrote says where it is.
    const elsewhere = await sb.trail(['search', 'api up']);
    assert.equal(elsewhere.code, 1);
    assert.match(elsewhere.stdout, /nothing in the trail matches "api up"\nservices' output does: trail search 'api up' --in logs/);
    // Stopping reaches the grandchildren.
    const apiGroup = group(by.api.pid!);
    assert.ok(apiGroup.length >= 3, `sh and two sleeps: ${apiGroup}`);
    const down = await sb.trail(['down', '--session', 'proj']);
    assert.match(down.stdout, /stopped api, db/);
    await eventually(async () => group(by.api.pid!).length === 0 && !(await listening(port)), 'nothing left of api or db');

    // kill -9 of the daemon while services run: the next daemon stops what is left.
    await sb.trail(['up', 'api', '--session', 'proj']);
    const running = (await sb.json<{ services: Svc[] }>(['svc', 'ls', '--session', 'proj', '--json'])).services;
    const api = running.find((s) => s.name === 'api')!;
    assert.equal(api.state, 'ready');
    assert.ok(await listening(port));
    process.kill(Number(readFileSync(join(sb.home, 'daemon.lock'), 'utf8')), 'SIGKILL');
    await eventually(async () => (await sb.trail(['daemon', 'status'])).code === 3, 'the daemon gone');
    assert.ok(group(api.pid!).length > 0, 'its processes outlive a killed daemon');
    assert.equal((await sb.trail(['daemon', 'start'])).code, 0);
    await eventually(async () => group(api.pid!).length === 0 && !(await listening(port)), 'the orphans stopped and the port free');
    const db = new Database(join(sb.home, 'trail.db'), { readonly: true });
    const orphans = db.prepare("SELECT data FROM events WHERE kind = 'service.orphans'").all() as { data: string }[];
    db.close();
    assert.deepEqual(orphans.map((o) => JSON.parse(o.data).service).sort(), ['api', 'db']);
    // What was running when the daemon was killed runs again, in new processes.
    await eventually(async () => {
      const again = (await sb.json<{ services: Svc[] }>(['svc', 'ls', '--session', 'proj', '--json'])).services;
      const a = again.find((s) => s.name === 'api')!;
      return a.state === 'ready' && a.pid !== api.pid && (await listening(port));
    }, 'api running again after the killed daemon');
    assert.match((await sb.trail(['log', 'proj'])).stdout, /api: left running by a killed daemon[\s\S]*api: started/);
  } finally {
    await sb.trail(['down', '--session', 'proj']);
    await sb.cleanup();
  }
});

test('a malformed trail.yaml starts nothing and says where and what', async () => {
  const sb = new Sandbox();
  try {
    const project = await sessionWith(sb, 'bad', 'services:\n  web:\n    command: sleep 100\n    ready:\n      port: eighty\n');
    const r = await sb.trail(['up', '--session', 'bad']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /trail\.yaml:5:13: services\.web\.ready\.port: expected a number \(nothing was started or stopped\)/);
    const ls = await sb.trail(['svc', 'ls', '--session', 'bad']);
    assert.match(ls.stderr, /trail\.yaml:5:13/);
    // Several problems: all of them, each on its line, under what came of them.
    writeFileSync(join(project, 'trail.yaml'), 'services:\n  web:\n    comand: sleep 100\n  db:\n    command: sleep 100\n    depends_on: [cache]\n    restart: sometimes\n');
    const many = await sb.trail(['up', '--session', 'bad']);
    assert.equal(many.code, 1);
    const lines = many.stderr.trim().split('\n');
    assert.match(lines[0], /^trail: 2 problems in the service file \(nothing was started or stopped\):$/);
    assert.match(lines[1], /trail\.yaml:3:5: services\.web\.comand: unknown key; did you mean command\?$/);
    assert.match(lines[2], /trail\.yaml:7:14: services\.db\.restart: expected one of no, on-failure, always$/);
    assert.doesNotMatch((await sb.trail(['svc', 'ls', '--session', 'bad'])).stdout, /running|ready/);
  } finally {
    await sb.cleanup();
  }
});

test('a port already taken fails the start at once, naming the pid and command that hold it', async () => {
  const sb = new Sandbox();
  const project = join(sb.userHome, 'taken');
  mkdirSync(project, { recursive: true });
  const port = 20000 + Math.floor(Math.random() * 12000);
  const squatter = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], { stdio: 'ignore' });
  writeFileSync(join(project, 'trail.yaml'), `services:\n  web:\n    command: python3 -m http.server ${port} --bind 127.0.0.1\n    ready: { port: ${port} }\n`);
  try {
    await eventually(() => listening(port), 'the squatter to listen');
    await sb.startDaemon();
    await sb.trail(['new', 'taken', '-d', '--dir', project]);
    const r = await sb.trail(['up', '--session', 'taken']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`web +failed: port ${port} is taken by pid ${squatter.pid} \\(\\S*python3 -m http.server ${port}`));
  } finally {
    squatter.kill();
    await sb.cleanup();
  }
});

test('a port a service did not declare, taken: it fails (no restarts), naming the port and who holds it, whether its error names the port or not', async () => {
  const sb = new Sandbox();
  const project = join(sb.userHome, 'undeclared');
  mkdirSync(project, { recursive: true });
  const [p1, p2] = [0, 1].map(() => 20000 + Math.floor(Math.random() * 12000));
  const squatters = [p1, p2].map((port) => spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], { stdio: 'ignore' }));
  // node says "EADDRINUSE: address already in use 127.0.0.1:PORT"; python only "[Errno 98] Address already in use".
  const node = `node -e "require('http').createServer().listen(${p1}, '127.0.0.1')"`;
  writeFileSync(join(project, 'trail.yaml'), `services:\n  api:\n    command: ${JSON.stringify(node)}\n    restart: always\n  web:\n    command: python3 -m http.server ${p2} --bind 127.0.0.1\n    restart: on-failure\n`);
  try {
    await Promise.all([p1, p2].map((port) => eventually(() => listening(port), 'the squatters to listen')));
    await sb.startDaemon();
    await sb.trail(['new', 'undeclared', '-d', '--dir', project]);
    await sb.trail(['up', '--session', 'undeclared']);
    await eventually(async () => {
      const svcs = (await sb.json<{ services: Svc[] }>(['svc', 'ls', '--session', 'undeclared', '--json'])).services;
      return svcs.every((x) => x.state === 'failed') && svcs;
    }, 'both to fail');
    const svcs = (await sb.json<{ services: Svc[] }>(['svc', 'ls', '--session', 'undeclared', '--json'])).services;
    const api = svcs.find((x) => x.name === 'api')!;
    const web = svcs.find((x) => x.name === 'web')!;
    assert.match(api.reason ?? '', new RegExp(`^port ${p1} is taken by pid ${squatters[0].pid} \\(\\S*python3 -m http.server ${p1}`));
    assert.match(web.reason ?? '', new RegExp(`^port ${p2} is taken by pid ${squatters[1].pid} \\(\\S*python3 -m http.server ${p2}`));
    assert.equal(api.restarts, 0);
    assert.equal(web.restarts, 0);
  } finally {
    for (const q of squatters) q.kill();
    await sb.cleanup();
  }
});

test('svc add and svc rm edit trail.yaml in place, every other line as it was (comments, order, spacing, long lines); a service others depend on is not removed', async () => {
  const sb = new Sandbox();
  const project = join(sb.userHome, 'edit');
  mkdirSync(project, { recursive: true });
  const file = join(project, 'trail.yaml');
  const long = `sh -c 'while :; do printf "%s\\n" "${'x'.repeat(90)}"; sleep 30; done'`;
  const original = `# our stack\nservices:\n  # the database\n  db:\n    command: sleep 300   # pinned\n  long:\n    command: ${JSON.stringify(long)}\n\n# the end\n`;
  writeFileSync(file, original);
  try {
    await sb.startDaemon();
    await sb.trail(['new', 'edit', '-d', '--dir', project]);
    const add = await sb.trail(['svc', 'add', 'web', '--port', '8080', '--session', 'edit', '--', 'npm', 'run', 'dev']);
    assert.equal(add.code, 0, add.stderr);
    assert.equal(readFileSync(file, 'utf8'), original.replace('\n\n# the end', '\n  web:\n    command: npm run dev\n    ready:\n      port: 8080\n\n# the end'));
    const names = (await sb.json<{ services: Svc[] }>(['svc', 'ls', '--session', 'edit', '--json'])).services.map((s) => s.name);
    assert.deepEqual(names, ['db', 'long', 'web']);
    assert.match((await sb.trail(['svc', 'add', 'web', '--session', 'edit', '--', 'x'])).stderr, /has a service named web already/);
    writeFileSync(file, readFileSync(file, 'utf8').replace('      port: 8080\n', '      port: 8080\n    depends_on: [db]\n'));
    const refused = await sb.trail(['svc', 'rm', 'db', '--session', 'edit']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /web depends on db: change it first/);
    assert.equal((await sb.trail(['svc', 'rm', 'web', '--session', 'edit'])).code, 0);
    assert.equal(readFileSync(file, 'utf8'), original, 'as it was before the add');
  } finally {
    await sb.cleanup();
  }
});

test('services running when the daemon stops cleanly are started again when it comes back', async () => {
  const sb = new Sandbox();
  try {
    await sessionWith(sb, 'again', 'services:\n  worker:\n    command: sleep 300\n  idle:\n    command: sleep 300\n    autostart: false\n');
    assert.equal((await sb.trail(['up', '--session', 'again'])).code, 0);
    const before = (await sb.json<{ services: Svc[] }>(['svc', 'ls', '--session', 'again', '--json'])).services.find((s) => s.name === 'worker')!;
    assert.equal((await sb.trail(['daemon', 'stop', '--force'])).code, 0);
    assert.equal(group(before.pid!).length, 0, 'stopped with the daemon');
    // A look starts no daemon (which would start the services again): it says none runs.
    const look = await sb.trail(['svc', 'ls', '--session', 'again']);
    assert.equal(look.code, 3);
    assert.match(look.stderr, /no daemon is running, so no service is/);
    assert.equal((await sb.trail(['daemon', 'status'])).code, 3, 'still no daemon');
    assert.equal((await sb.trail(['daemon', 'start'])).code, 0);
    const after = await eventually(async () => {
      const l = (await sb.json<{ services: Svc[] }>(['svc', 'ls', '--session', 'again', '--json'])).services;
      return l.find((s) => s.name === 'worker' && s.state === 'ready') ? l : null;
    }, 'worker running again');
    assert.notEqual(after.find((s) => s.name === 'worker')!.pid, before.pid);
    assert.equal(after.find((s) => s.name === 'idle')!.state, 'stopped', 'what was not running stays stopped');
  } finally {
    await sb.trail(['down', '--session', 'again']);
    await sb.cleanup();
  }
});

test('a daemon asked to stop holds its lock until its services have stopped and their last lines are kept: a daemon started meanwhile waits for it, and finds nothing left to clean up', async () => {
  const sb = new Sandbox();
  try {
    // Takes a second and a half to stop, and says so at the very end.
    await sessionWith(sb, 'slow', `services:\n  slow:\n    command: "trap 'sleep 1.5; echo bye; exit 0' TERM; echo up; while :; do sleep 0.1; done"\n    stop: { grace: 8s }\n`);
    assert.equal((await sb.trail(['up', '--session', 'slow'])).code, 0);
    await eventually(async () => /up/.test((await sb.trail(['svc', 'logs', 'slow', '--session', 'slow'])).stdout), 'the service up');
    const old = Number(readFileSync(join(sb.home, 'daemon.lock'), 'utf8'));
    // As a service manager stops it; a CLI then finds no socket and starts a daemon.
    process.kill(old, 'SIGTERM');
    const start = await sb.trail(['daemon', 'start']);
    assert.equal(start.code, 0, start.stderr);
    const now = Number(readFileSync(join(sb.home, 'daemon.lock'), 'utf8'));
    assert.notEqual(now, old);
    const db = new Database(join(sb.home, 'trail.db'), { readonly: true });
    const orphans = db.prepare("SELECT count(*) n FROM events WHERE kind = 'service.orphans'").get() as { n: number };
    db.close();
    assert.equal(orphans.n, 0, 'the new daemon found nothing of the old one still running');
    const logs = await sb.trail(['svc', 'logs', 'slow', '--session', 'slow']);
    assert.match(logs.stdout, /up[\s\S]*bye/, 'the last line, written while stopping, kept');
  } finally {
    await sb.trail(['down', '--session', 'slow']);
    await sb.cleanup();
  }
});

test('svc logs -f prints the lines as the service writes them, each once and in order, and says so when the daemon goes', async () => {
  const sb = new Sandbox();
  try {
    await sessionWith(sb, 'ticks', 'services:\n  ticker:\n    command: "i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.2; done"\n  tock:\n    command: "i=0; while :; do i=$((i+1)); echo tock $i >&2; sleep 0.3; done"\n');
    assert.equal((await sb.trail(['up', '--session', 'ticks'])).code, 0);
    await eventually(async () => /tick 2/.test((await sb.trail(['svc', 'logs', 'ticker', '--session', 'ticks'])).stdout), 'two ticks');
    const f = spawn(process.execPath, [BIN, 'svc', 'logs', 'ticker', '--session', 'ticks', '-f'], { env: sb.env });
    let seen = '';
    let said = '';
    f.stdout.on('data', (b: Buffer) => (seen += b.toString()));
    f.stderr.on('data', (b: Buffer) => (said += b.toString()));
    const ended = new Promise<number | null>((r) => f.on('exit', (code) => r(code)));
    await eventually(async () => /tick 2\b/.test(seen), 'the lines so far');
    const last = () => Math.max(...[...seen.matchAll(/tick (\d+)/g)].map((m) => Number(m[1])));
    const first = last();
    await eventually(async () => last() >= first + 3, 'lines written after -f began', 10_000);
    // Each line once, in order.
    const nums = [...seen.matchAll(/tick (\d+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(nums, Array.from({ length: nums.length }, (_, i) => nums[0] + i));
    // No name: every service, merged in time order, each line with its service's name.
    const merged = await sb.trail(['svc', 'logs', '--session', 'ticks']);
    assert.match(merged.stdout, /ticker out tick \d+/);
    assert.match(merged.stdout, /tock   err tock \d+/);
    const rowsOfAll = JSON.parse((await sb.trail(['svc', 'logs', '--session', 'ticks', '--json'])).stdout) as { service: string; at: number }[];
    assert.deepEqual([...new Set(rowsOfAll.map((r) => r.service))].sort(), ['ticker', 'tock']);
    assert.deepEqual(rowsOfAll.map((r) => r.at), rowsOfAll.map((r) => r.at).sort((a, b) => a - b), 'in time order');
    const h = spawn(process.execPath, [BIN, 'svc', 'logs', '--session', 'ticks', '-f', '-n', '0'], { env: sb.env });
    let both = '';
    h.stdout.on('data', (b: Buffer) => (both += b.toString()));
    const hEnded = new Promise<number | null>((r) => h.on('exit', (code) => r(code)));
    await eventually(async () => /ticker out tick \d+/.test(both) && /tock   err tock \d+/.test(both), 'both followed');
    // -n 0 with --json: only what comes from now on, an object a line.
    const t0 = Date.now();
    const g = spawn(process.execPath, [BIN, 'svc', 'logs', 'ticker', '--session', 'ticks', '-f', '-n', '0', '--json'], { env: sb.env });
    let objects = '';
    g.stdout.on('data', (b: Buffer) => (objects += b.toString()));
    const gEnded = new Promise<number | null>((r) => g.on('exit', (code) => r(code)));
    await eventually(async () => objects.split('\n').filter(Boolean).length >= 3, 'three lines as JSON');
    const rows = objects.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { line: string; at: number; stream: string });
    assert.ok(rows.every((r) => /^tick \d+$/.test(r.line) && r.stream === 'out'), objects);
    assert.ok(rows.every((r) => r.at >= t0), 'nothing from before -f began');
    assert.equal((await sb.trail(['daemon', 'stop'])).code, 0);
    assert.equal(await ended, 1);
    assert.equal(await gEnded, 1);
    assert.equal(await hEnded, 1);
    assert.match(said, /the daemon stopped; no more lines will come|the daemon closed the connection/);
  } finally {
    await sb.cleanup();
  }
});

test('a reload restarts only the services whose definition changed; a broken file changes nothing; an edit is picked up on its own', async () => {
  const sb = new Sandbox();
  const project = join(sb.userHome, 'reload');
  mkdirSync(project, { recursive: true });
  const file = join(project, 'trail.yaml');
  writeFileSync(file, 'services:\n  a:\n    command: sleep 300\n  b:\n    command: sleep 301\n');
  const pids = async () => Object.fromEntries((await sb.json<{ services: Svc[] }>(['svc', 'ls', '--session', 'reload', '--json'])).services.map((s) => [s.name, s.pid]));
  try {
    await sb.startDaemon();
    await sb.trail(['new', 'reload', '-d', '--dir', project]);
    assert.equal((await sb.trail(['up', '--session', 'reload'])).code, 0);
    const first = await pids();
    writeFileSync(file, 'services:\n  a:\n    command: sleep 300\n  b:\n    command: sleep 302\n');
    const r = await sb.trail(['svc', 'reload', '--session', 'reload']);
    assert.equal(r.code, 0, r.stderr);
    if (!/^restarted b$/m.test(r.stdout)) {
      // The file's watcher reloads 300 ms after the write: on a loaded machine it can come before this command.
      assert.match(r.stdout, /^nothing running changed$/m);
      assert.match((await sb.trail(['log', 'reload'])).stdout, /b: stopped by an edit of trail\.yaml/);
    }
    const second = await eventually(async () => {
      const p = await pids();
      return p.b && p.b !== first.b ? p : null;
    }, 'b running again');
    assert.equal(second.a, first.a, 'a, unchanged, kept running');
    writeFileSync(file, 'services:\n  a:\n    command: sleep 300\n    restart: sometimes\n  b:\n    command: sleep 302\n');
    const broken = await sb.trail(['svc', 'reload', '--session', 'reload']);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /trail\.yaml:4:14: services\.a\.restart: expected one of no, on-failure, always \(the services run on as they were\)/);
    assert.deepEqual(await pids(), second);
    // An edit, with nobody asking: the watcher reloads.
    writeFileSync(file, 'services:\n  a:\n    command: sleep 303\n  b:\n    command: sleep 302\n');
    const third = await eventually(async () => {
      const p = await pids();
      return p.a && p.a !== second.a ? p : null;
    }, 'a restarted after the edit');
    assert.equal(third.b, second.b);
  } finally {
    await sb.trail(['down', '--session', 'reload']);
    await sb.cleanup();
  }
});

test('a liveness probe that keeps failing gets the service killed and restarted by its policy', async () => {
  const sb = new Sandbox();
  const project = join(sb.userHome, 'live');
  mkdirSync(project, { recursive: true });
  const flag = join(project, 'healthy');
  writeFileSync(flag, '');
  writeFileSync(
    join(project, 'trail.yaml'),
    `services:\n  w:\n    command: sleep 300\n    liveness: { exec: "test -e ${flag}", period: 100ms, failure_threshold: 2 }\n    restart: always\n    backoff: { initial: 100ms }\n`,
  );
  const w = async () => (await sb.json<{ services: Svc[] }>(['svc', 'ls', '--session', 'live', '--json'])).services[0];
  try {
    await sb.startDaemon();
    await sb.trail(['new', 'live', '-d', '--dir', project]);
    assert.equal((await sb.trail(['up', '--session', 'live'])).code, 0);
    const first = await w();
    // Healthy for a while: never restarted (the probe passes every 100 ms).
    await eventually(async () => (await sb.trail(['log', 'live'])).stdout.includes('w: started'), 'started in the trail');
    assert.equal((await w()).restarts, 0);
    rmSync(flag);
    const again = await eventually(async () => {
      const s = await w();
      return s.restarts >= 1 && s.state === 'ready' && s.pid !== first.pid ? s : null;
    }, 'w restarted after its liveness probe failed');
    assert.ok(again.pid);
    assert.match((await sb.trail(['log', 'live'])).stdout, /w: ended by SIGKILL[\s\S]*w: restarting in/);
  } finally {
    await sb.trail(['down', '--session', 'live']);
    await sb.cleanup();
  }
});

test("a service's output is kept within its retention (its newest lines)", async () => {
  const sb = new Sandbox({ TRAIL_LOG_TRIM_EVERY: '50' });
  const project = join(sb.userHome, 'ret');
  mkdirSync(project, { recursive: true });
  mkdirSync(sb.home, { recursive: true, mode: 0o700 });
  writeFileSync(join(sb.home, 'config.yaml'), 'service_logs: { lines: 100 }\n');
  writeFileSync(join(project, 'trail.yaml'), 'services:\n  chatty:\n    command: "seq 1 1000; echo seq-done; sleep 300"\n    ready: { log: seq-done }\n');
  try {
    await sb.startDaemon();
    await sb.trail(['new', 'ret', '-d', '--dir', project]);
    assert.equal((await sb.trail(['up', '--session', 'ret'])).code, 0);
    const lines = await eventually(async () => {
      const l = JSON.parse((await sb.trail(['svc', 'logs', 'chatty', '--session', 'ret', '-n', '10000', '--json'])).stdout) as { line: string }[];
      return l.at(-1)?.line === 'seq-done' ? l : null;
    }, 'every line written');
    assert.ok(lines.length <= 150, `kept ${lines.length} lines`);
    assert.ok(lines.length >= 100, `kept ${lines.length} lines`);
    assert.equal(lines.at(-2)!.line, '1000', 'the newest are the ones kept');
  } finally {
    await sb.trail(['down', '--session', 'ret']);
    await sb.cleanup();
  }
});

test('a tty: true service runs in a terminal that svc attach types into; its screen is its log; coloured output is kept with its colours and redacted', async () => {
  const sb = new Sandbox();
  const project = join(sb.userHome, 'tty');
  mkdirSync(project, { recursive: true });
  writeFileSync(
    join(project, 'trail.yaml'),
    `services:
  repl:
    command: "printf 'repl-ready>\\\\n'; while IFS= read -r l; do printf 'got:%s\\\\n' \\"$l\\"; done"
    tty: true
    ready: { log: repl-ready }
  paint:
    command: "printf '\\\\033[31mtoken=ghp_abcdefghijklmnopqrstuvwxyz0123456789\\\\033[0m painted\\\\n'; sleep 300"
  hue:
    command: "printf '\\\\033[32mcompiled\\\\033[0m in \\\\033[1m120 ms\\\\033[22m   \\\\n'; sleep 300"
`,
  );
  try {
    await sb.startDaemon();
    await sb.trail(['new', 'tty', '-d', '--dir', project]);
    const up = await sb.trail(['up', '--session', 'tty']);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    const c = sb.attach(['svc', 'attach', 'repl', '--session', 'tty'], { cols: 100, rows: 20 });
    await c.waitFor('repl-ready>');
    c.type('hello-from-tty\r');
    await c.waitFor('got:hello-from-tty');
    c.type('\x1c');
    assert.equal(await c.left(), 0);
    assert.match(c.raw, /detached from tty/);
    // It runs on without anyone attached, and what it showed is its log.
    const list = await sb.json<{ services: Svc[] }>(['svc', 'ls', '--session', 'tty', '--json']);
    assert.equal(list.services.find((s) => s.name === 'repl')!.state, 'ready');
    const logs = await eventually(async () => {
      const l = (await sb.trail(['svc', 'logs', 'repl', '--session', 'tty'])).stdout;
      return l.includes('got:hello-from-tty') ? l : null;
    }, 'the typed line in the log');
    assert.match(logs, /out repl-ready>/);
    const found = await sb.json<{ service: string; line: string }[]>(['search', 'got:hello-from', '--in', 'logs', '--json']);
    assert.deepEqual(found.map((f) => [f.service, f.line]), [['repl', 'got:hello-from-tty']]);
    // A service without a terminal says how to get one.
    const no = await sb.trail(['svc', 'attach', 'paint', '--session', 'tty']);
    assert.equal(no.code, 1);
    assert.match(no.stderr, /paint has no terminal to attach to: add tty: true/);
    // Colours: the line as shown is redacted and searchable; the raw copy keeps the colour, not the secret.
    const painted = await eventually(async () => {
      const l = await sb.json<{ line: string; raw: string | null }[]>(['svc', 'logs', 'paint', '--session', 'tty', '--json']);
      return l.length ? l[0] : null;
    }, 'the painted line');
    assert.equal(painted.line, 'token=[REDACTED] painted');
    assert.ok(painted.raw?.includes('\x1b[31m'), JSON.stringify(painted.raw));
    assert.ok(!painted.raw?.includes('ghp_'), JSON.stringify(painted.raw));
    assert.equal((await sb.trail(['search', 'ghp_abcdef', '--in', 'logs'])).code, 1);
    assert.equal((await sb.trail(['search', 'painted', '--in', 'logs'])).code, 0);
    // Colours with no secret: the line as shown (blanks after it dropped) is searchable, the raw copy is as written.
    const hue = await eventually(async () => {
      const l = await sb.json<{ line: string; raw: string | null }[]>(['svc', 'logs', 'hue', '--session', 'tty', '--json']);
      return l.length ? l[0] : null;
    }, 'the coloured line');
    assert.equal(hue.line, 'compiled in 120 ms');
    assert.equal(hue.raw, '\x1b[32mcompiled\x1b[0m in \x1b[1m120 ms\x1b[22m   ');
    const hits = await sb.json<{ service: string; line: string }[]>(['search', 'compiled in 120', '--in', 'logs', '--json']);
    assert.deepEqual(hits.map((f) => [f.service, f.line]), [['hue', 'compiled in 120 ms']]);
  } finally {
    await sb.trail(['down', '--session', 'tty']);
    await sb.cleanup();
  }
});

test('a watch hears the session’s service events as they happen, redacted; an unknown session is one clear error', async () => {
  const sb = new Sandbox();
  const project = join(sb.userHome, 'w');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'trail.yaml'), 'services:\n  quick:\n    command: "echo token=ghp_abcdefghijklmnopqrstuvwxyz0123456789 >&2; exit 4"\n    restart: on-failure\n    max_restarts: 0\n');
  const { DaemonClient } = await import('../src/client/daemon-client.js');
  const saved = process.env.TRAIL_HOME;
  try {
    await sb.startDaemon();
    await sb.trail(['new', 'w', '-d', '--dir', project]);
    await sb.trail(['new', 'other', '-d', '--dir', sb.userHome]);
    process.env.TRAIL_HOME = sb.home;
    const c = await DaemonClient.connect({ start: false });
    const bad = await DaemonClient.connect({ start: false });
    process.env.TRAIL_HOME = saved;
    const heard: { kind: string; session: string | null; data: unknown }[] = [];
    c.onEvent = (e) => heard.push(e);
    c.send({ t: 'watch', kinds: ['service.started', 'service.exited', 'service.gave_up', 'session.renamed'], session: 'w' });
    const refused = new Promise<string>((resolve) => (bad.onMessage = (m) => m.t === 'error' && resolve(m.message)));
    bad.send({ t: 'watch', kinds: ['service.started'], session: 'nope' });
    assert.match(await refused, /no session named "nope"/);
    bad.close();
    await c.call('svc.list', { session: 'w' }); // the watch is in place once a later call is answered
    await sb.trail(['up', '--session', 'w']);
    await sb.trail(['rename', 'other', 'other2']);
    await sb.trail(['rename', 'w', 'w2']);
    await eventually(async () => heard.some((e) => e.kind === 'session.renamed'), 'the rename of w heard');
    c.close();
    assert.deepEqual(heard.map((e) => e.kind), ['service.started', 'service.exited', 'service.gave_up', 'session.renamed'], JSON.stringify(heard));
    assert.equal(heard[0].session, 'w');
    assert.deepEqual(heard[1].data, { service: 'quick', code: 4, signal: null });
    assert.deepEqual((heard[2].data as { lastLines: string[] }).lastLines, ['token=[REDACTED]']);
    assert.deepEqual(heard[3].data, { from: 'w', to: 'w2' }, 'the other session’s rename is not heard');
  } finally {
    process.env.TRAIL_HOME = saved;
    await sb.trail(['down', '--session', 'w2']);
    await sb.cleanup();
  }
});

test('trail up watches a service without a ready probe until it has stayed up: one that fails at once is reported failing, not ready', async () => {
  const sb = new Sandbox();
  try {
    await sessionWith(sb, 'np', 'services:\n  steady:\n    command: sleep 300\n  typo:\n    command: "echo \'no such tool: nmp\' >&2; exit 127"\n    restart: "no"\n');
    const up = await sb.trail(['up', '--session', 'np']);
    assert.equal(up.code, 1, up.stdout);
    assert.match(up.stdout, /steady +up for 1\.\ds \(no ready probe\)/);
    assert.match(up.stdout, /typo +exited with code 127/);
    assert.match(up.stdout, /│ no such tool: nmp/);
    assert.doesNotMatch(up.stdout, /typo +(ready|up for)/);
    const ls = (await sb.trail(['svc', 'ls', '--session', 'np'])).stdout;
    assert.match(ls, /steady +up for \d/);
  } finally {
    await sb.trail(['down', '--session', 'np']);
    await sb.cleanup();
  }
});

test('what a new user runs into: svc add keeps the quoting, a dependency that cannot be met fails at once, removed services go, trail up makes the session, stops say who stopped', async () => {
  const sb = new Sandbox();
  const project = join(sb.userHome, 'fresh');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'trail.yaml'), 'services:\n  late:\n    command: "exit 2"\n    restart: "no"\n  after:\n    command: sleep 300\n    depends_on: { late: { condition: completed_successfully } }\n');
  try {
    await sb.startDaemon();
    // No session for this directory yet: trail up makes it.
    const up = await sb.trail(['up'], { cwd: project });
    assert.equal(up.code, 1, up.stdout + up.stderr);
    assert.match(up.stdout, /starting 2 services of fresh:/);
    assert.match(up.stdout, /after +failed: not started: its dependency late exited with code 2/);
    // svc add: several words after -- are kept as words; one is the command as written.
    assert.equal((await sb.trail(['svc', 'add', 'hello', '--session', 'fresh', '--', 'sh', '-c', 'echo hello world; sleep 100'])).code, 0);
    assert.match(readFileSync(join(project, 'trail.yaml'), 'utf8'), /command: sh -c 'echo hello world; sleep 100'/);
    assert.equal((await sb.trail(['up', 'hello', '--session', 'fresh'])).code, 0);
    const said = await eventually(async () => {
      const l = (await sb.trail(['svc', 'logs', 'hello', '--session', 'fresh'])).stdout;
      return /out hello world/.test(l) ? l : null;
    }, 'hello world in its log');
    assert.match(said, /hello world/);
    assert.equal((await sb.trail(['svc', 'stop', 'hello', '--session', 'fresh'])).code, 0);
    assert.match((await sb.trail(['log', 'fresh'])).stdout, /hello: stopped by trail svc stop/);
    // Removed from the file: gone from the list.
    assert.equal((await sb.trail(['svc', 'rm', 'hello', '--session', 'fresh'])).code, 0);
    const names = (await sb.json<{ services: Svc[] }>(['svc', 'ls', '--session', 'fresh', '--json'])).services.map((s) => s.name);
    assert.deepEqual(names.sort(), ['after', 'late']);
    // A key written the short way is named the long way.
    writeFileSync(join(project, 'trail.yaml'), 'services:\n  x:\n    cmd: echo hi\n');
    assert.match((await sb.trail(['svc', 'reload', '--session', 'fresh'])).stderr, /services\.x\.cmd: unknown key; did you mean command\?/);
  } finally {
    await sb.trail(['down', '--session', 'fresh']);
    await sb.cleanup();
  }
});
