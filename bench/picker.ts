// The search picker at scale: a store of N commands (realistic repetition:
// a few thousand distinct lines run again and again, plus unique ones), then
// `trail search -i` opened in a real PTY. Figures: time from spawn to the first
// frame with rows, beside bare `node` start-up (what any Node CLI pays) and
// beside `trail search WORD` (the non-interactive search, daemon running), all
// from this run; and the time from a typed key to the frame that answers it,
// once the picker has read the whole trail.
import { spawn as spawnChild } from 'node:child_process';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import * as pty from 'node-pty';
import { openDb } from '../src/store/db.js';
import { CommandStore, type NewCommand } from '../src/store/commands.js';
import { World, pct, ratio, rng, BIN } from './lib.js';

const run = (file: string, args: string[], env: Record<string, string>) =>
  new Promise<number>((resolve) => {
    const t = performance.now();
    const p = spawnChild(file, args, { env, stdio: 'ignore' });
    p.on('exit', () => resolve(performance.now() - t));
  });

export async function picker(n: number, rounds: number): Promise<string[]> {
  const w = new World();
  const out: string[] = [];
  const r = rng(7);
  const word = () => Array.from({ length: 3 + Math.floor(r() * 7) }, () => String.fromCharCode(97 + Math.floor(r() * 26))).join('');
  const tools = ['git', 'npm', 'make', 'cargo', 'docker', 'kubectl', 'python3', 'node', 'ls', 'grep', 'curl', 'psql', 'go', 'pytest'];
  const pickOne = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  // People repeat themselves: most lines come from a working set of 5,000; one in five is new.
  const common = Array.from({ length: 5000 }, () => `${pickOne(tools)} ${word()} --${word()} ${word()}/${word()}`);
  try {
    mkdirSync(w.home, { recursive: true, mode: 0o700 });
    const db = openDb(join(w.home, 'trail.db'));
    db.prepare("INSERT INTO sessions (id, name, dir, created_at, last_active_at) VALUES ('s1', 'bench', '/srv', 0, 0)").run();
    const store = new CommandStore(db);
    const start = Date.now() - n * 1000;
    for (let done = 0; done < n; ) {
      const batch: NewCommand[] = [];
      for (let k = 0; k < 5000 && done < n; k++, done++) {
        const command = r() < 0.2 ? `${pickOne(tools)} ${word()} --${word()} ${word()}/${word()}` : pickOne(common);
        batch.push({
          session_id: 's1', terminal_id: 't1', command, cwd: '/srv/' + pickOne(tools), started_at: start + done * 1000, ended_at: start + done * 1000 + 500,
          duration_ms: 500, exit_code: r() < 0.1 ? 1 : 0, git_root: null, branch: null, head: null, dirty: 0, actor: 'user',
          output: 'ok', output_bytes: 2, output_truncated: 0, raw: null, screen: 0,
        });
      }
      store.insertMany(batch);
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const distinct = common.length + Math.round(n * 0.2);
    out.push(`search picker: ${n.toLocaleString('en')} commands in the store (about ${distinct.toLocaleString('en')} distinct lines)`);

    const bare: number[] = [];
    for (let i = 0; i < rounds; i++) bare.push(await run(process.execPath, ['-e', '0'], w.env));
    await w.startDaemon();
    const plain: number[] = [];
    for (let i = 0; i < rounds; i++) plain.push(await run(process.execPath, [BIN, 'search', 'docker'], w.env));

    const open: number[] = [];
    const key: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      let seen = '';
      const p = pty.spawn(process.execPath, [BIN, 'search', '-i'], { cols: 120, rows: 40, env: w.env, name: 'xterm-256color' });
      const until = (test: (s: string) => boolean) =>
        new Promise<number>((resolve) => {
          const check = () => (test(seen) ? resolve(performance.now()) : setTimeout(check, 1));
          check();
        });
      p.onData((d) => (seen += d));
      const painted = await until((s) => /trail search · .*\n[\s\S]*> /.test(s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '')));
      open.push(painted - t);
      // Once the whole trail is read (the header stops saying so), a key is answered from all of it.
      await until((s) => s.lastIndexOf('reading more') < s.lastIndexOf('trail search ·') && !s.slice(s.lastIndexOf('trail search ·')).includes('reading more'));
      const before = seen.length;
      const k = performance.now();
      p.write('k');
      await until((s) => s.length > before && s.slice(before).includes('> k'));
      key.push(performance.now() - k);
      p.write('\x1b');
      await new Promise<void>((resolve) => p.onExit(() => resolve()));
    }
    for (const xs of [bare, plain, open, key]) xs.sort((a, b) => a - b);
    out.push(`  node -e 0 (start-up alone):          p50 ${pct(bare, 50).toFixed(0)} ms`);
    out.push(`  trail search docker (daemon up):     p50 ${pct(plain, 50).toFixed(0)} ms`);
    out.push(`  trail search -i, spawn to first frame: p50 ${pct(open, 50).toFixed(0)} ms = ${ratio(pct(open, 50), pct(plain, 50))} trail search; ${(pct(open, 50) - pct(bare, 50)).toFixed(0)} ms beyond node's start-up (goal ≤ 50 ms)`);
    out.push(`  a key to its frame, all ${n.toLocaleString('en')} read: p50 ${pct(key, 50).toFixed(0)} ms  max ${key[key.length - 1].toFixed(0)} ms`);
  } finally {
    w.stop();
  }
  return out;
}
