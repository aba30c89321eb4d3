import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadServices, parseTrailYaml, parseProcfile, startOrder, ServiceConfigError } from './service-config.js';

const err = (text: string) => {
  try {
    parseTrailYaml(text, 'trail.yaml');
  } catch (e) {
    assert.ok(e instanceof ServiceConfigError, String(e));
    return e.message;
  }
  assert.fail('parsed without error');
};

test('a full trail.yaml: defaults filled in, durations in ms, depends_on as a list or with conditions', () => {
  const s = parseTrailYaml(
    `# the stack
services:
  db:
    command: postgres -D data
    ready: { port: 5432, period: 500ms }
    stop: { signal: SIGINT, grace: 5s }
  api:
    command: npm run dev
    cwd: ./api
    env: { PORT: 3000, DEBUG: true }
    depends_on:
      db: { condition: ready }
    ready: { http: "http://127.0.0.1:3000/health", status: 204 }
    restart: always
    backoff: { initial: 1s, max: 1m }
  worker:
    command: node worker.js
    depends_on: [db, api]
    tty: true
`,
    'trail.yaml',
  );
  const api = s.find((x) => x.name === 'api')!;
  assert.deepEqual(api.env, { PORT: '3000', DEBUG: 'true' });
  assert.deepEqual(api.depends_on, { db: { condition: 'ready' } });
  assert.equal(api.ready?.status, 204);
  assert.deepEqual(api.backoff, { initial: 1000, max: 60_000 });
  const db = s.find((x) => x.name === 'db')!;
  assert.equal(db.ready?.period, 500);
  assert.deepEqual(db.stop, { signal: 'SIGINT', grace: 5000 });
  assert.equal(db.restart, 'on-failure');
  assert.deepEqual(s.find((x) => x.name === 'worker')!.depends_on, { db: { condition: 'started' }, api: { condition: 'started' } });
  assert.deepEqual(startOrder(s).map((x) => x.name), ['db', 'api', 'worker']);
});

test('a wrong type says the file, line, column, the field and what was expected', () => {
  assert.equal(err('services:\n  web:\n    command: x\n    ready:\n      port: abc\n'), 'trail.yaml:5:13: services.web.ready.port: expected a number');
  assert.equal(err('services:\n  web:\n    command: x\n    restart: sometimes\n'), 'trail.yaml:4:14: services.web.restart: expected one of no, on-failure, always');
  assert.equal(err('services:\n  web:\n    cwd: /srv\n'), 'trail.yaml:3:5: services.web.command: missing (expected a string)');
  assert.match(err('services:\n  web:\n    command: x\n    ready: { period: 1s }\n'), /^trail\.yaml:4:12: services\.web\.ready: expected exactly one of port, http, log or exec$/);
  assert.match(err('services:\n  web:\n    command: x\n    stop: { grace: soon }\n'), /^trail\.yaml:4:20: services\.web\.stop\.grace: expected a duration such as 500ms, 2s or 1m \(or a number of seconds\)$/);
});

test('an unknown key is named where it is, with the closest known key', () => {
  assert.equal(err('services:\n  web:\n    command: x\n    depnds_on: [db]\n'), 'trail.yaml:4:5: services.web.depnds_on: unknown key; did you mean depends_on?');
  assert.equal(err('services:\n  web:\n    command: x\n    ready:\n      prot: 80\n'), 'trail.yaml:5:7: services.web.ready.prot: unknown key; did you mean port?');
  assert.equal(err('service:\n  web: { command: x }\n'), 'trail.yaml:1:1: service: unknown key; did you mean services?');
});

test('everything wrong in a file is said at once, in the file\'s order; a misspelt key does not also report the field it leaves missing', () => {
  assert.equal(
    err('services:\n  web:\n    comand: npm start\n    restart: sometimes\n  db:\n    command: pg\n    ready: { port: abc }\n    stopp: { grace: 1s }\n'),
    [
      'trail.yaml:3:5: services.web.comand: unknown key; did you mean command?',
      'trail.yaml:4:14: services.web.restart: expected one of no, on-failure, always',
      'trail.yaml:7:20: services.db.ready.port: expected a number',
      'trail.yaml:8:5: services.db.stopp: unknown key; did you mean stop?',
    ].join('\n'),
  );
  assert.equal(
    err('services:\n  a: { command: x, depends_on: [b, c] }\n  d: { command: x, depends_on: [e] }\n'),
    [
      'trail.yaml:2:32: services.a.depends_on: no service named b (services: a, d)',
      'trail.yaml:2:32: services.a.depends_on: no service named c (services: a, d)',
      'trail.yaml:3:32: services.d.depends_on: no service named e (services: a, d)',
    ].join('\n'),
  );
});

test('YAML errors, missing dependencies and cycles are refused with where', () => {
  assert.match(err('services:\n  web: [\n'), /^trail\.yaml:\d+:\d+: not valid YAML: /);
  assert.equal(
    err('services:\n  web:\n    command: x\n    depends_on: [db]\n'),
    'trail.yaml:4:17: services.web.depends_on: no service named db (services: web)',
  );
  assert.match(
    err('services:\n  a: { command: x, depends_on: [b] }\n  b: { command: x, depends_on: [c] }\n  c: { command: x, depends_on: [a] }\n'),
    /^trail\.yaml:2:\d+: services\.a\.depends_on: a dependency cycle: a → b → c → a$/,
  );
});

test('a Procfile, and trail.yaml first when a directory has both', () => {
  const p = parseProcfile('# processes\nweb: bundle exec rails s -p $PORT\n\nworker: bundle exec sidekiq\n', 'Procfile');
  assert.deepEqual(p.map((s) => [s.name, s.command]), [['web', 'bundle exec rails s -p $PORT'], ['worker', 'bundle exec sidekiq']]);
  assert.throws(() => parseProcfile('web rails s\n', 'Procfile'), /Procfile:1:1: expected "name: command"/);
  const dir = mkdtempSync(join(tmpdir(), 'trail-svc-'));
  try {
    assert.equal(loadServices(dir), null);
    writeFileSync(join(dir, 'Procfile'), 'web: python3 -m http.server\n');
    assert.equal(loadServices(dir)?.kind, 'Procfile');
    writeFileSync(join(dir, 'trail.yaml'), 'services:\n  api: { command: node api.js }\n');
    const f = loadServices(dir)!;
    assert.equal(f.kind, 'trail.yaml');
    assert.deepEqual(f.services.map((s) => s.name), ['api']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a process-compose.yaml is read (the subset that maps), and what trail does not do is named in one warning', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trail-pc-'));
  try {
    writeFileSync(
      join(dir, 'process-compose.yaml'),
      `version: "0.5"
log_location: ./pc.log
processes:
  db:
    command: postgres -D data
    readiness_probe:
      exec: { command: pg_isready }
      period_seconds: 2
      initial_delay_seconds: 1
    shutdown: { signal: 2, timeout_seconds: 5 }
  web:
    command: npm run dev
    working_dir: ./web
    environment: ["PORT=3000", "URL=http://x/?a=b"]
    depends_on:
      db: { condition: process_healthy }
    ready_log_line: "ready on"
    availability: { restart: on_failure, backoff_seconds: 2, max_restarts: 3 }
    namespace: frontend
  docs:
    command: mkdocs serve
    disabled: true
`,
    );
    const f = loadServices(dir)!;
    assert.equal(f.kind, 'process-compose.yaml');
    const by = Object.fromEntries(f.services.map((s) => [s.name, s]));
    assert.deepEqual(by.db.ready && { exec: by.db.ready.exec, period: by.db.ready.period }, { exec: 'pg_isready', period: 2000 });
    assert.deepEqual(by.db.stop, { signal: 'SIGINT', grace: 5000 });
    assert.equal(by.db.restart, 'no', 'process-compose restarts nothing unless told');
    assert.equal(by.web.cwd, './web');
    assert.deepEqual(by.web.env, { PORT: '3000', URL: 'http://x/?a=b' });
    assert.deepEqual(by.web.depends_on, { db: { condition: 'ready' } });
    assert.equal(by.web.ready?.log, 'ready on');
    assert.equal(by.web.restart, 'on-failure');
    assert.deepEqual(by.web.backoff, { initial: 2000, max: 30_000 });
    assert.equal(by.web.max_restarts, 3);
    assert.equal(by.docs.autostart, false);
    assert.deepEqual(f.warnings, [
      `${join(dir, 'process-compose.yaml')}: not supported by trail, left out: log_location, processes.db.readiness_probe.initial_delay_seconds, processes.web.namespace`,
    ]);
    writeFileSync(join(dir, 'process-compose.yaml'), 'processes:\n  web:\n    command: x\n    depends_on:\n      db: { condition: process_healthy }\n');
    assert.throws(() => loadServices(dir), /process-compose\.yaml:5:\d+: processes\.web\.depends_on: no service named db \(processes: web\)/);
    writeFileSync(join(dir, 'process-compose.yaml'), 'processes:\n  web:\n    command: x\n    availability: { restart: sometimes }\n');
    assert.throws(() => loadServices(dir), /process-compose\.yaml:4:\d+: processes\.web\.availability\.restart: expected one of always, on_failure, exit_on_failure, no/);
    // Every process's problem at once, in the file's order.
    writeFileSync(join(dir, 'process-compose.yaml'), 'processes:\n  web:\n    command: x\n    availability: { restart: sometimes }\n  db:\n    command: 42\n    depends_on:\n      web: { condition: process_someday }\n');
    assert.throws(
      () => loadServices(dir),
      (e: Error) => {
        const lines = e.message.split('\n');
        assert.equal(lines.length, 2, e.message);
        assert.match(lines[0], /process-compose\.yaml:4:\d+: processes\.web\.availability\.restart: expected one of/);
        assert.match(lines[1], /process-compose\.yaml:8:\d+: processes\.db\.depends_on\.web\.condition: expected one of/);
        return true;
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('"address in use" as programs say it, with the port where they name one', async () => {
  const { addressInUse } = await import('./services.js');
  const said: [string, number | null][] = [
    ["Error: listen EADDRINUSE: address already in use 127.0.0.1:3000\n    at Server.setupListenHandle", 3000],
    ['Error: listen EADDRINUSE: address already in use :::8080', 8080],
    ['2026/11/26 listen tcp :9090: bind: address already in use', 9090],
    ['OSError: [Errno 98] Address already in use', null],
    ['Address already in use - bind(2) for "0.0.0.0" port 4567 (Errno::EADDRINUSE)', 4567],
    ['\x1b[31mError: Port 5173 is already in use\x1b[0m', 5173],
  ];
  for (const [tail, port] of said) assert.deepEqual(addressInUse(`starting…\n${tail}`), { port }, tail);
  assert.equal(addressInUse('listening on :3000\nGET / 200'), null);
});
