// Search at scale: a generated trail of N commands with ~B bytes of output each,
// ingested through the real store, then queried; ripgrep over the same raw text
// in the same run is the baseline.
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { openDb } from '../src/store/db.js';
import { CommandStore, type NewCommand } from '../src/store/commands.js';
import { World, pct, ratio, rng, timeRg } from './lib.js';

export async function search(n: number, outBytes: number): Promise<string[]> {
  const w = new World();
  const out: string[] = [];
  const r = rng(42);
  const word = () => {
    const len = 3 + Math.floor(r() * 8);
    let s = '';
    for (let i = 0; i < len; i++) s += String.fromCharCode(97 + Math.floor(r() * 26));
    return s;
  };
  const vocab = Array.from({ length: 50_000 }, word);
  const tools = ['git', 'npm', 'make', 'cargo', 'docker', 'kubectl', 'python3', 'node', 'ls', 'grep', 'curl', 'psql', 'go', 'pytest'];
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  try {
    const dbFile = join(w.dir, 'trail.db');
    const rawFile = join(w.dir, 'raw.txt');
    const db = openDb(dbFile);
    db.prepare("INSERT INTO sessions (id, name, dir, created_at, last_active_at) VALUES ('s1', 'bench', '/srv', 0, 0)").run();
    const store = new CommandStore(db);
    const rawFd = openSync(rawFile, 'w');
    const needles: string[] = [];
    let textBytes = 0;
    const t0 = performance.now();
    const start = Date.now() - n * 1000;
    for (let done = 0; done < n; ) {
      const batch: NewCommand[] = [];
      const rawParts: string[] = [];
      for (let k = 0; k < 5000 && done < n; k++, done++) {
        const command = `${pick(tools)} ${pick(vocab)} --${pick(vocab)} ${pick(vocab)}/${pick(vocab)}`;
        const lines: string[] = [];
        let size = 0;
        while (size < outBytes) {
          const l = Array.from({ length: 8 + Math.floor(r() * 8) }, () => pick(vocab)).join(' ');
          lines.push(l);
          size += l.length + 1;
        }
        if (done % 10_000 === 7) {
          const needle = `ERRCODE-${done.toString(36)}-${word()}`;
          needles.push(needle);
          lines.push(`fatal: ${needle} while reading config`);
        }
        const output = lines.join('\n');
        textBytes += output.length + command.length;
        rawParts.push(command, '\n', output, '\n');
        batch.push({
          session_id: 's1',
          terminal_id: 't1',
          command,
          cwd: '/srv/' + pick(vocab),
          started_at: start + done * 1000,
          ended_at: start + done * 1000 + 500,
          duration_ms: 500,
          exit_code: r() < 0.1 ? 1 : 0,
          git_root: null,
          branch: r() < 0.5 ? 'main' : 'dev',
          head: null,
          dirty: 0,
          actor: 'user',
          output,
          output_bytes: output.length,
          output_truncated: 0,
          raw: null,
          screen: 0,
        });
      }
      store.insertMany(batch);
      writeSync(rawFd, rawParts.join(''));
    }
    closeSync(rawFd);
    const ingestS = (performance.now() - t0) / 1000;
    db.pragma('wal_checkpoint(TRUNCATE)');
    const dbSize = statSync(dbFile).size;
    out.push(`search at scale: ${n.toLocaleString('en')} commands, ${(textBytes / 1e9).toFixed(2)} GB of command and output text`);
    out.push(
      `  ingest: ${(n / ingestS).toFixed(0)} commands/s, ${(textBytes / 1e6 / ingestS).toFixed(1)} MB/s (${ingestS.toFixed(0)} s); database ${(dbSize / 1e9).toFixed(2)} GB = ${ratio(dbSize, textBytes)} the raw text`,
    );

    const time = (f: () => unknown) => {
      const t = performance.now();
      f();
      return performance.now() - t;
    };
    const cmdMs: number[] = [];
    for (let i = 0; i < 200; i++) {
      const q = pick(vocab).slice(0, 5);
      cmdMs.push(time(() => store.search(q, {}, 20, 'command')));
    }
    const outWords: number[] = [];
    for (let i = 0; i < 200; i++) {
      const q = pick(vocab);
      outWords.push(time(() => store.search(q, {}, 20, 'all')));
    }
    const rare: number[] = [];
    for (const nd of needles.slice(0, 100)) rare.push(time(() => store.search(nd, {}, 20, 'all')));
    const filtered: number[] = [];
    for (let i = 0; i < 100; i++) {
      const q = pick(vocab);
      filtered.push(time(() => store.search(q, { failed: true, branch: 'dev' }, 20, 'all')));
    }
    // The largest text the api accepts (1,000 characters). The daemon runs searches in a process
    // of its own (daemon/search-thread.ts), so this is how long the answer takes, not how long
    // recording waits.
    const longest = [
      ['1,000 × "a"', 'a'.repeat(1000)],
      ['1,000 chars of common words', Array.from({ length: 200 }, () => pick(vocab)).join(' ').slice(0, 1000)],
      ['a common word repeated to 1,000 chars', (pick(vocab) + ' ').repeat(200).slice(0, 1000)],
    ] as const;
    const longMs = longest.map(([what, q]) => [what, time(() => store.search(q, {}, 20, 'all'))] as const);
    for (const xs of [cmdMs, outWords, rare, filtered]) xs.sort((a, b) => a - b);
    out.push(`  command search (200 substrings):           p50 ${pct(cmdMs, 50).toFixed(1)} ms  p95 ${pct(cmdMs, 95).toFixed(1)} ms  (goal p95 ≤ 20 ms)`);
    out.push(`  full-text, common words (200):             p50 ${pct(outWords, 50).toFixed(1)} ms  p95 ${pct(outWords, 95).toFixed(1)} ms  (goal p95 ≤ 200 ms)`);
    out.push(`  full-text, rare error ids (${rare.length}):            p50 ${pct(rare, 50).toFixed(1)} ms  p95 ${pct(rare, 95).toFixed(1)} ms`);
    out.push(`  full-text + --failed --branch (100):       p50 ${pct(filtered, 50).toFixed(1)} ms  p95 ${pct(filtered, 95).toFixed(1)} ms`);
    for (const [what, ms] of longMs) out.push(`  largest accepted query, ${what}: ${ms.toFixed(1)} ms (in the search process, not on the daemon's event loop; stopped at 10 s)`);

    // ripgrep over the same raw text (page cache warm: one run first)
    const rg = (q: string) => timeRg(q, rawFile);
    rg('warmup');
    const rgMs = [...needles.slice(0, 5), pick(vocab), pick(vocab)].map(rg).sort((a, b) => a - b);
    out.push(`  rg -F over the raw text (${rgMs.length} queries):  p50 ${pct(rgMs, 50).toFixed(1)} ms  p95 ${pct(rgMs, 95).toFixed(1)} ms`);
    out.push(`  trail full-text p95 / rg p50: common words ${ratio(pct(outWords, 95), pct(rgMs, 50))}, rare ids ${ratio(pct(rare, 95), pct(rgMs, 50))} (lower is better)`);
    db.close();
  } finally {
    w.stop();
  }
  return out;
}
