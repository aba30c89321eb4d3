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

/** A store in a new directory and a log writer for its logs file (the default retention, no redaction patterns). */
function writerWithStore() {
  const dir = mkdtempSync(join(tmpdir(), 'trail-log-writer-'));
  const health = new StoreHealth(() => {});
  const init: WriterInit = { file: logsFileOf(join(dir, 'trail.db')), redact: { patterns: [], disable: [] }, retention: { lines: 100_000, days: 14 }, trimEvery: 10_000, watchedShare: 0.05 };
  const db = openDb(join(dir, 'trail.db'));
  return { dir, health, init, db, w: new LogWriter(init, health, () => {}) };
}

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

test('the log writer keeps the order writes were sent in (a private key goes on from one to the next), a sync waits for all sent before it, and the buffers come back to be filled again', async () => {
  const { dir, health, db, w } = writerWithStore();
  try {
    // Plain, coloured, a secret, UTF-8: each kind made its own way; a private key begun in one write goes on in the next two.
    const written = (i: number) =>
      i === 30 ? ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEA'] : i === 31 ? ['MIIEowIBAAKCAQEB'] : i === 32 ? ['-----END RSA PRIVATE KEY-----', 'after the key'] : [`plain ${i}`, `\x1b[32mgreen ${i}\x1b[0m`, `token=abcdefgh${1000 + i}`, `✓ ${i}`];
    const shown = (i: number) => (i === 30 ? ['-----BEGIN RSA PRIVATE KEY-----[REDACTED]'] : i === 31 ? ['[REDACTED]'] : i === 32 ? ['[REDACTED]', 'after the key'] : [`plain ${i}`, `green ${i}`, 'token=[REDACTED]', `✓ ${i}`]);
    const stored = () => new ServiceStore(db).lines('s', 'web', { limit: 10_000 }).map((l) => l.line);
    for (let i = 0; i < 60; i++) {
      const data = w.buffer(4096);
      const n = data.write(written(i).join('\n'));
      w.write('s', [{ service: 'web', stream: 'out', at: i, end_at: i, data: data.subarray(0, n) }]);
      if (i % 20 === 19) {
        await w.synced();
        assert.deepEqual(stored(), Array.from({ length: i + 1 }, (_, k) => shown(k)).flat(), `all sent before sync ${i} is stored, in order`);
      }
    }
    assert.ok((w as unknown as { free: ArrayBuffer[] }).free.length > 0, 'buffers given back');
    assert.ok(health.view().ok);
  } finally {
    await w.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a quiet service's lines, a transaction each, do not grow the logs file's WAL without bound: it is checkpointed by what the writes add to it, not by their output alone", async () => {
  const { statSync } = await import('node:fs');
  const { dir, health, init, db, w } = writerWithStore();
  try {
    // 600 lines, each written alone (as a service printing now and then is): ~325 KB of WAL each with 64 KiB pages.
    for (let i = 0; i < 600; i++) {
      w.write('s', [sent(`GET /health 200 ${i}`)]);
      await w.synced();
    }
    const wal = statSync(init.file + '-wal').size;
    assert.ok(wal < 80 * 1024 * 1024, `the WAL is ${(wal / 1e6).toFixed(1)} MB`);
    assert.equal(new ServiceStore(db).lines('s', 'web', { limit: 10_000 }).length, 600);
  } finally {
    await w.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
