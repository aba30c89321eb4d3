// Returning (issue 11): the briefing and the context on a session with a long
// trail (1,000,000 commands, 100,000 events), asked of a running daemon over
// its socket; reattaching with the briefing against without it; forgetting
// 10,000 commands by a text, with the database's size before and after.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { openDb } from '../src/store/db.js';
import { CommandStore, type NewCommand } from '../src/store/commands.js';
import { SessionStore } from '../src/store/sessions.js';
import { NoteStore } from '../src/store/notes.js';
import { DaemonClient } from '../src/client/daemon-client.js';
import { World, pct, rng, sleep, LAUNCHER, median } from './lib.js';

export async function returning(n: number, events: number): Promise<string[]> {
  const w = new World();
  const out: string[] = [];
  const r = rng(11);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const words = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}${'abcdefgh'[i % 8]}`);
  const now = Date.now();
  const away = now - 3_600_000; // the last visit ended an hour ago
  try {
    const file = join(w.home, 'trail.db');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(w.home, { recursive: true, mode: 0o700 });
    const db = openDb(file);
    const sessions = new SessionStore(db);
    sessions.insertSession({ id: 's1', name: 'big', dir: w.userHome, created_at: now - 90 * 86_400_000, last_active_at: now });
    const store = new CommandStore(db);
    const t0 = performance.now();
    const span = now - 90 * 86_400_000;
    for (let done = 0; done < n; ) {
      const batch: NewCommand[] = [];
      for (let k = 0; k < 5000 && done < n; k++, done++) {
        // Evenly over 90 days, the last ~0.1% within the hour away.
        const at = span + Math.floor((done / n) * (now - span - 60_000));
        const failed = r() < 0.05;
        batch.push({
          session_id: 's1', terminal_id: `t${done % 3}`, command: `${pick(['npm test', 'make', 'git status', 'cargo build', 'pytest -x'])} ${pick(words)}`,
          cwd: w.userHome, started_at: at, ended_at: at + 800, duration_ms: 800, exit_code: failed ? 1 : 0, git_root: null, branch: pick(['main', 'dev']), head: null, dirty: 0,
          actor: r() < 0.02 ? 'agent:claude' : 'user', output: failed ? `running\nError: ${pick(words)} failed at ${pick(words)}\ndone` : `ok ${pick(words)} ${pick(words)}`, output_bytes: 40, output_truncated: 0, raw: null, screen: 0,
        });
      }
      store.insertMany(batch);
    }
    db.transaction(() => {
      for (let i = 0; i < events; i++) {
        const at = span + Math.floor((i / events) * (now - span - 60_000));
        const kind = pick(['service.started', 'service.exited', 'service.restarting', 'client.attached', 'client.detached']);
        sessions.event('s1', null, at, kind, 'cli:someone', JSON.stringify({ service: pick(['api', 'db', 'web']), code: 1, signal: null, inMs: 1000, restarts: 1, client: 'x', readOnly: false }));
      }
    })();
    new NoteStore(db).endVisit('s1', 'cli:bench', away);
    const ingestS = (performance.now() - t0) / 1000;
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    out.push(`returning: a session of ${n.toLocaleString('en')} commands and ${events.toLocaleString('en')} events over 90 days (written in ${ingestS.toFixed(0)} s), the last visit an hour ago`);

    await w.startDaemon();
    process.env.TRAIL_HOME = w.home;
    const c = await DaemonClient.connect({ start: false });
    const time = async (f: () => Promise<unknown>) => {
      const t = performance.now();
      await f();
      return performance.now() - t;
    };
    const brief: number[] = [];
    const ctx: number[] = [];
    for (let i = 0; i < 5; i++) await c.call('session.brief', { session: 'big', identity: 'cli:bench', mark: false }); // warm
    for (let i = 0; i < 100; i++) brief.push(await time(() => c.call('session.brief', { session: 'big', identity: 'cli:bench', mark: false })));
    for (let i = 0; i < 50; i++) ctx.push(await time(() => c.call('session.context', { session: 'big', identity: 'cli:bench', budget: 8000 })));
    brief.sort((a, b) => a - b);
    ctx.sort((a, b) => a - b);
    const sample = await c.call('session.brief', { session: 'big', identity: 'cli:bench', mark: false });
    out.push(`  trail brief (the op over the socket, 100 runs):          p50 ${pct(brief, 50).toFixed(1)} ms  p95 ${pct(brief, 95).toFixed(1)} ms  (goal p95 ≤ 50 ms)`);
    out.push(`    (it covered ${sample.briefing!.failed.length} shown + ${sample.briefing!.more} more items; ${sample.briefing!.others.map((o) => `${o.actor} ${o.commands} commands`).join(', ')})`);
    out.push(`  trail context --budget 8000 (50 runs):                    p50 ${pct(ctx, 50).toFixed(1)} ms  p95 ${pct(ctx, 95).toFixed(1)} ms  (goal p95 ≤ 100 ms)`);

    // Reattaching: CLI start to the screen drawn, with the briefing (away an hour) and with --no-brief, alternating.
    const attachOnce = async (noBrief: boolean) => {
      const o = w.outer(LAUNCHER, ['attach', 'big', ...(noBrief ? ['--no-brief'] : [])]);
      const t = performance.now();
      await o.waitFor('$ ');
      const ms = performance.now() - t;
      o.type('\x1c');
      await sleep(300);
      o.kill();
      return ms;
    };
    const withB: number[] = [];
    const without: number[] = [];
    for (let i = 0; i < 8; i++) {
      // Leaving moves the visit: it is put back an hour before each run, so that every run is a return.
      setVisit(w, away);
      withB.push(await attachOnce(false));
      setVisit(w, away);
      without.push(await attachOnce(true));
    }
    out.push(`  reattach with bin/trail, start to the prompt drawn (8 each, median): with the briefing ${median(withB).toFixed(0)} ms, without ${median(without).toFixed(0)} ms (goal ≤ 100 ms)`);

    // Forget 10,000 commands by a text.
    c.close();
    // Written beside the running daemon (WAL lets a second connection write).
    const db2 = openDb(file);
    const store2 = new CommandStore(db2);
    const base = now - 120_000;
    const rows: NewCommand[] = [];
    for (let i = 0; i < 10_000; i++)
      rows.push({
        session_id: 's1', terminal_id: 't9', command: `export TOKEN=FORGETME${i}`, cwd: w.userHome, started_at: base + i, ended_at: base + i + 1, duration_ms: 1, exit_code: 0,
        git_root: null, branch: null, head: null, dirty: 0, actor: 'user', output: `set FORGETME${i}`, output_bytes: 10, output_truncated: 0, raw: null, screen: 0,
      });
    store2.insertMany(rows);
    db2.pragma('wal_checkpoint(TRUNCATE)');
    db2.close();
    const before = statSync(file).size;
    const t = performance.now();
    const f = w.trail('forget', '--match', 'FORGETME').trim();
    const forgetMs = performance.now() - t;
    const after = statSync(file).size;
    out.push(`  trail forget --match of 10,000 commands among ${(n + 10_000).toLocaleString('en')}: ${(forgetMs / 1000).toFixed(1)} s (CLI included; the indexes rebuilt, the WAL truncated): "${f}"`);
    out.push(`    database ${(before / 1e6).toFixed(0)} MB before, ${(after / 1e6).toFixed(0)} MB after (freed pages are zeroed and kept for reuse, not returned)`);
  } finally {
    w.stop();
  }
  return out;
}

function setVisit(w: World, at: number): void {
  // The daemon writes visits; a second connection to the file sets one back (WAL lets both).
  const db = openDb(join(w.home, 'trail.db'));
  db.prepare('UPDATE visits SET ended_at = ? WHERE session_id = ?').run(at, 's1');
  db.close();
}

