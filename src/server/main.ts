// The daemon's entry point: it only wires things up. State dir and lock,
// config, store, session manager, then the socket.
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { nativeGrams, nativeHints, relayMode } from '../platform/relay.js';
import { closeInheritedFds } from '../platform/inherited-fds.js';
import { redact } from '../common/redact.js';
import { trailPaths } from '../platform/paths.js';
import { ownedByAnother } from '../platform/owner.js';
import { loadConfig, secretPatterns } from '../daemon/config.js';
import { Services } from '../daemon/services.js';
import { ServiceStore } from '../store/services.js';
import { NoteStore } from '../store/notes.js';
import { PolicyStore } from '../store/policy.js';
import type { HttpServer } from './http.js';
import { LogWriter } from '../daemon/log-writer.js';
import { trimOutput, trimOldLogs, trimOutputUpTo } from '../store/retention.js';
import { Terminal } from '../daemon/terminal.js';
import { openDb, logsFileOf, type Db } from '../store/db.js';
import { SessionStore, sessionNames } from '../store/sessions.js';
import { CommandStore } from '../store/commands.js';
import { SessionManager } from '../daemon/sessions.js';
import { StoreHealth } from '../daemon/store-health.js';
import { SearchThread } from '../daemon/search-thread.js';
import { DEFAULT_PATTERNS, useHintFinder } from '../common/redact.js';
import { serveSocket } from './socket.js';
import { releaseLock, takeLock } from './lock.js';
import { closeRunDir, openRunDir } from './run-dir.js';
import type { ApiContext } from '../api/context.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export async function runDaemon(opts: { foreground: boolean }): Promise<number> {
  const inherited = closeInheritedFds();
  const paths = trailPaths();
  let secrets = DEFAULT_PATTERNS;
  const log = (line: string) => {
    // A log line can quote a command or a path: it is redacted like everything else written.
    const stamped = `${new Date().toISOString()} ${redact(line, secrets)}\n`;
    try {
      appendFileSync(paths.log, stamped);
    } catch {
      /* the log is best effort */
    }
    if (opts.foreground) process.stderr.write(stamped);
  };
  const die = (why: string): number => {
    process.stderr.write(`trail daemon: ${why}\n`);
    log(`not started: ${why}`);
    return 1;
  };

  try {
    mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  } catch (e) {
    return die(`cannot create the state dir ${paths.home}: ${(e as Error).message}; set TRAIL_HOME to a writable directory`);
  }
  const st = statSync(paths.home);
  if (ownedByAnother(st))
    return die(`the state dir ${paths.home} belongs to another user (uid ${st.uid}); set TRAIL_HOME to a directory of your own`);
  if ((st.mode & 0o077) !== 0) chmodSync(paths.home, 0o700);

  let lock;
  try {
    lock = takeLock(paths.lock);
  } catch (e) {
    return die(`cannot write ${paths.lock}: ${(e as Error).message}; is ${paths.home} writable?`);
  }
  if (!lock.ok) {
    process.stderr.write(`trail daemon: already running (pid ${lock.pid}) on ${paths.socket}\n`);
    return 1;
  }

  let config;
  try {
    config = loadConfig(paths.config);
  } catch (e) {
    releaseLock(paths.lock);
    return die((e as Error).message);
  }

  let db: Db;
  try {
    db = openDb(paths.db);
  } catch (e) {
    releaseLock(paths.lock);
    return die(`cannot open the store ${paths.db}: ${(e as Error).message}`);
  }

  const runDir = openRunDir(paths.home, paths.runDirNote, log);
  secrets = secretPatterns(config.redact);
  if (inherited.length) log(`closed file descriptor(s) ${inherited.join(', ')} inherited from the process that started the daemon`);
  const env = { ...process.env } as Record<string, string>;
  delete env.TRAIL_NONCE_FILE;
  const commands = new CommandStore(db);
  useHintFinder(nativeHints());
  const serviceStore = new ServiceStore(db, nativeGrams() ?? undefined);
  const notes = new NoteStore(db);
  const health = new StoreHealth(log);
  const searcher = new SearchThread(paths.db);
  const manager = new SessionManager({
    health,
    sessions: new SessionStore(db),
    commands,
    scrollback: config.scrollback,
    secrets,
    runDir,
    env,
    log,
  });

  const writer = new LogWriter(
    {
      file: logsFileOf(paths.db),
      redact: config.redact,
      retention: config.service_logs,
      // A tenth of what a service keeps (so it holds at most a tenth more): a pass reads the service's chunks.
      trimEvery: Number(process.env.TRAIL_LOG_TRIM_EVERY ?? Math.max(1000, Math.floor(config.service_logs.lines / 10))),
      // Measured (session 9): a flood at a twentieth of a core while someone types keeps keystroke echo's p99 as with no service.
      watchedShare: 0.05,
    },
    health,
    log,
    // Terminals someone watches come first: while one had output in the last second, writing logs rests.
    () => performance.now() - Terminal.lastWatched < 1000,
    (stored) => {
      for (const s of stored) manager.events.emit({ kind: 'service.output', sessionId: s.sessionId, terminalId: null, at: Date.now(), data: { service: s.service } });
    },
  );
  const services = new Services({
    store: serviceStore,
    events: manager.events,
    health,
    secrets,
    env,
    log,
    writer,
    tty: { runDir, scrollback: config.scrollback, shell: env.SHELL || '/bin/sh' },
  });
  // What a killed daemon left running goes first: no orphan keeps a port.
  const cutShort = services.reapOrphans();
  for (const o of cutShort) if (o.reaped) log(`stopped ${o.service} (pid ${o.pid}), left running by an earlier daemon`);
  manager.events.on(['session.killed'], (e) => void services.stopAll(e.sessionId, 'the session was killed'));
  // A visit ends when its client leaves: the next briefing for that identity starts there.
  manager.events.on(['client.attached', 'client.detached'], (e) => {
    if (e.kind === 'client.detached' && e.actor) health.attempt('a visit', () => notes.endVisit(e.sessionId, e.actor!, e.at));
  });
  // Services the last daemon stopped when it stopped cleanly, or was running when it was killed, come back with this one.
  for (const s of manager.list()) {
    const last = new Map<string, { kind: string; by?: string }>();
    for (const e of manager.storedEvents(['service.started', 'service.stopped', 'service.gave_up', 'service.failed'], [s.id])) {
      const d = JSON.parse(e.data ?? '{}') as { service?: string; by?: string };
      if (d.service) last.set(d.service, { kind: e.kind, by: d.by });
    }
    const again = [...last].filter(([, v]) => v.kind === 'service.stopped' && v.by === 'the daemon').map(([name]) => name);
    for (const o of cutShort) if (o.sessionId === s.id && !again.includes(o.service)) again.push(o.service);
    if (!again.length) continue;
    try {
      const svc = services.of(s);
      const declared = new Set((svc.load()?.services ?? []).map((x) => x.name));
      const names = again.filter((n) => declared.has(n));
      if (names.length) log(`starting again the services ${s.name} had running when the daemon stopped: ${svc.up(names).join(', ')}`);
    } catch (e) {
      log(`${s.name}: its services were not started again: ${(e as Error).message}`);
    }
  }

  // Retention in the background: old output and old service logs go a little at a time, never holding the store long.
  const retain = () => {
    const now = Date.now();
    let n = 0;
    const step = () => {
      const done =
        (health.attempt('output retention', () => trimOutput(db, now - config.output.days * 86_400_000, 500)) ?? 0) +
        (health.attempt('service log retention', () => trimOldLogs(db, now - config.service_logs.days * 86_400_000, 200)) ?? 0);
      n += done;
      if (done > 0 && !stopping) setTimeout(step, 20).unref();
      else {
        if (n) log(`retention: ${n} old output(s) and log chunk(s) let go`);
        void bySize();
      }
    };
    // Then the size limit: where it falls is found in the search process; the oldest output goes, a batch at a time.
    const bySize = async () => {
      const cut = await searcher.outputCutoff(config.output.max_mb * 1024 * 1024).catch(() => null);
      if (cut === null) return;
      let m = 0;
      const more = () => {
        const done = health.attempt('output retention', () => trimOutputUpTo(db, cut, 500)) ?? 0;
        m += done;
        if (done > 0 && !stopping) setTimeout(more, 20).unref();
        else if (m) log(`retention: ${m} output(s) let go to keep output under ${config.output.max_mb} MB`);
      };
      more();
    };
    step();
  };
  setTimeout(retain, 60_000).unref();
  setInterval(retain, 3_600_000).unref();

  let stopping = false;
  const http: ApiContext['http'] = { url: null, problem: null };
  const ctx = {
      manager,
      commands,
      health,
      searcher,
      sessionNames: () => sessionNames(db),
      paths,
      startedAt: Date.now(),
      version: VERSION,
      stop: () => stop('asked to stop'),
      now: Date.now,
      settings: { status: config.status, brief: { on: config.brief.on, afterMs: config.brief.after } },
      services,
      notes,
      policy: new PolicyStore(db),
      db,
      secrets,
      http,
    } satisfies ApiContext;
  const server = serveSocket(ctx, log);
  let httpServer: HttpServer | null = null;

  function stop(why: string): void {
    if (stopping) {
      if (why.startsWith('SIG')) process.exit(0); // asked twice: go now
      return;
    }
    stopping = true;
    log(`stopping: ${why}`);
    manager.shutdown(why === 'asked to stop' ? 'trail daemon stop' : why);
    searcher.close();
    server.close();
    void httpServer?.close();
    // Services get their stop signal and grace (up to 5 s in all); whatever is left is killed.
    const servicesDown = Promise.race([services.stopAll(), new Promise((r) => setTimeout(r, 5000))]).then(() => services.killAll());
    try {
      unlinkSync(paths.socket);
    } catch {
      /* gone */
    }
    closeRunDir(runDir, paths.runDirNote);
    // Not unref'd: the daemon must leave even if a terminal's handle lingers.
    const logsWritten = servicesDown.then(() => Promise.race([services.close(), new Promise((r) => setTimeout(r, 5000))]));
    void Promise.all([logsWritten, new Promise((r) => setTimeout(r, 200))]).then(() => {
      db.close();
      // The lock goes last: a daemon started meanwhile (a CLI finding no socket) waits for it, and so
      // never works on services this one is still stopping, or beside its last writes.
      releaseLock(paths.lock);
      process.exit(0);
    });
  }

  if (existsSync(paths.socket)) unlinkSync(paths.socket); // we hold the lock: any socket here is stale
  const oldMask = process.umask(0o177);
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', (e) => {
      process.umask(oldMask);
      resolve(false);
      die(`cannot listen on ${paths.socket}: ${(e as Error).message}`);
    });
    server.listen(paths.socket, () => resolve(true));
  });
  if (!ok) {
    releaseLock(paths.lock);
    return 1;
  }
  process.umask(oldMask);
  chmodSync(paths.socket, 0o600);
  server.on('error', (e) => log(`socket error: ${(e as Error).message}`));
  log(`trail daemon ${VERSION} (pid ${process.pid}) listening on ${paths.socket}; byte relay: ${relayMode()}`);
  // HTTP after the socket: loading its framework and the MCP SDK must not delay the first client.
  if (config.http.on) {
    const port = process.env.TRAIL_HTTP_PORT !== undefined ? Number(process.env.TRAIL_HTTP_PORT) : config.http.port;
    void import('./http.js')
      .then(({ serveHttp }) => serveHttp(ctx, port, log))
      .then((h) => {
        if ('problem' in h) return void (http.problem = h.problem);
        if (stopping) return void h.close();
        httpServer = h;
        http.url = h.url;
      })
      .catch((e) => {
        http.problem = (e as Error).message;
        log(`http: not serving (${http.problem})`);
      });
  }

  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {}); // the terminal that started us going away is no reason to stop
  process.on('uncaughtException', (e) => log(`internal error (daemon goes on): ${e.stack ?? e.message}`));
  process.on('unhandledRejection', (e) => log(`internal error (daemon goes on): ${(e as Error)?.stack ?? String(e)}`));
  return 0;
}

// Run directly (as the CLI does when it starts a detached daemon).
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const code = await runDaemon({ foreground: process.argv.includes('--foreground') });
  if (code !== 0) process.exit(code);
}
