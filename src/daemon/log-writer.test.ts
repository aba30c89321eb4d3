import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, logsFileOf } from '../store/db.js';
import { ServiceStore } from '../store/services.js';
import { LogWriter, type WriterInit } from './log-writer.js';
import { StoreHealth } from './store-health.js';

const sent = (text: string) => ({ service: 'web', stream: 'out' as const, at: 1, end_at: 2, data: new Uint8Array(Buffer.from(text)) });

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(ok(), what);
}

test('the log writer writes on its own thread, and when it cannot (no logs file), says so, keeps the daemon going, and writes once it can', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trail-log-writer-'));
  const lines: string[] = [];
  const health = new StoreHealth((l) => lines.push(l));
  const init: WriterInit = { file: logsFileOf(join(dir, 'trail.db')), redact: { patterns: [], disable: [] }, retention: { lines: 100_000, days: 14 }, trimEvery: 10_000, watchedShare: 0.05 };
  // No store yet: the thread cannot open the logs file and dies at once.
  const w = new LogWriter(init, health, (l) => lines.push(l));
  try {
    await until('the failure said', () => !health.view().ok);
    assert.match(lines.join('\n'), /the log writer stopped/);
    // Meanwhile nothing waits on it, and what is sent is counted as not kept.
    await w.synced();
    const before = health.view().notKept;
    w.write('s', [sent('lost while no writer runs')]);
    assert.ok(health.view().notKept > before);

    // The store appears: the next thread writes, and recording is said to work again.
    const db = openDb(join(dir, 'trail.db'));
    await until('a writer running again', () => (w as unknown as { alive: boolean }).alive);
    w.write('s', [sent('listening on 3000\nGET / 200 token=abcdefgh1234')]);
    await w.synced();
    await until('recording works again', () => health.view().ok);
    const got = new ServiceStore(db).lines('s', 'web', { limit: 10 }).map((l) => l.line);
    assert.deepEqual(got, ['listening on 3000', 'GET / 200 token=[REDACTED]']);
    await w.close();
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
