import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from './db.js';
import { ServiceStore, type LogChunk } from './services.js';

const chunk = (over: Partial<LogChunk> & { text: string }): LogChunk => ({
  session_id: 's', service: 'web', stream: 'out', at: 1000, end_at: 1000, lines: over.text.split('\n').length, raw: null, ...over,
});

test('service output in chunks: lines read back in order with ids that page, search finds lines newest first, retention cuts a chunk to its newest lines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trail-svc-store-'));
  try {
    const db = openDb(join(dir, 'trail.db'));
    const s = new ServiceStore(db);
    s.addChunks([
      chunk({ text: 'one\ntwo\nthree', at: 1000 }),
      chunk({ text: 'oops: failed', stream: 'err', at: 2000, end_at: 2000, raw: '\x1b[31moops\x1b[0m: failed' }),
      chunk({ text: 'four\nfailed again\nsix', at: 3000, end_at: 3000 }),
      chunk({ service: 'db', text: 'db failed too' }),
    ]);
    const all = s.lines('s', 'web', { limit: 100 });
    assert.deepEqual(all.map((l) => l.line), ['one', 'two', 'three', 'oops: failed', 'four', 'failed again', 'six']);
    assert.deepEqual(all.map((l) => l.stream), ['out', 'out', 'out', 'err', 'out', 'out', 'out']);
    assert.equal(all[3].raw, '\x1b[31moops\x1b[0m: failed');
    assert.equal(all[0].raw, null);
    // The last N, and what came after an id (svc logs -f), across chunks.
    assert.deepEqual(s.lines('s', 'web', { limit: 2 }).map((l) => l.line), ['failed again', 'six']);
    assert.deepEqual(s.lines('s', 'web', { limit: 100, afterId: all[1].id }).map((l) => l.line), ['three', 'oops: failed', 'four', 'failed again', 'six']);
    assert.deepEqual(s.lines('s', 'web', { limit: 100, since: 2500 }).map((l) => l.line), ['four', 'failed again', 'six']);
    assert.deepEqual(s.lines('s', 'web', { limit: 100, contains: 'FAILED' }).map((l) => l.line), ['oops: failed', 'failed again']);
    assert.deepEqual(s.lines('s', 'web', { limit: 100, stream: 'err' }).map((l) => l.line), ['oops: failed']);
    // Search: the lines, newest first, limited; short texts scan.
    assert.deepEqual(s.search('failed', { limit: 10 }).map((l) => [l.service, l.line]), [['db', 'db failed too'], ['web', 'failed again'], ['web', 'oops: failed']]);
    assert.deepEqual(s.search('failed', { limit: 2, service: 'web' }).map((l) => l.line), ['failed again', 'oops: failed']);
    assert.deepEqual(s.search('tw', { limit: 10 }).map((l) => l.line), ['two']);
    assert.deepEqual(s.search('nowhere', { limit: 10 }), []);
    // Retention: the newest 4 lines of web; the oldest kept chunk is cut, ids of what stays unchanged.
    const before = s.lines('s', 'web', { limit: 100 });
    assert.equal(s.trim('s', 'web', 4, 0), 3);
    const after = s.lines('s', 'web', { limit: 100 });
    assert.deepEqual(after.map((l) => l.line), ['oops: failed', 'four', 'failed again', 'six']);
    assert.deepEqual(after.map((l) => l.id), before.slice(3).map((l) => l.id));
    assert.equal(s.trim('s', 'web', 2, 0), 2);
    assert.deepEqual(s.lines('s', 'web', { limit: 100 }).map((l) => l.line), ['failed again', 'six']);
    assert.deepEqual(s.search('four', { limit: 10 }), [], 'a line cut away is not found');
    assert.deepEqual(s.search('again', { limit: 10 }).map((l) => l.id), [after[2].id]);
    // By age: nothing of web ended after 5000.
    assert.equal(s.trim('s', 'web', 100, 5000), 2);
    assert.deepEqual(s.lines('s', 'web', { limit: 100 }), []);
    assert.equal(s.lines('s', 'db', { limit: 100 }).length, 1);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('large chunks (a flood) are found through their bitmaps, small ones through the index, newest first across both; cutting or forgetting leaves neither telling what went', async () => {
  const { forget } = await import('./forget.js');
  const { INDEX_BELOW } = await import('./services.js');
  const dir = mkdtempSync(join(tmpdir(), 'trail-svc-store-'));
  try {
    const db = openDb(join(dir, 'trail.db'));
    const s = new ServiceStore(db);
    const flood = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `GET /api/items/${i} 200 ${tag}`).join('\n');
    const big1 = flood('first', 3000) + '\nthe needle in the first flood\n' + flood('tail', 10);
    const big2 = flood('second', 3000);
    assert.ok(big1.length >= INDEX_BELOW && big2.length >= INDEX_BELOW);
    s.addChunks([
      chunk({ text: 'a small needle, oldest', at: 1 }),
      chunk({ service: 'api', text: big1, at: 2 }),
      chunk({ text: 'a small needle, newer', at: 3 }),
      chunk({ service: 'api', text: big2, at: 4 }),
      chunk({ service: 'api', text: 'the newest needle', at: 5 }),
    ]);
    const kinds = db.prepare('SELECT indexed, count(*) n FROM service_chunks GROUP BY indexed ORDER BY indexed').all();
    assert.deepEqual(kinds, [{ indexed: 0, n: 2 }, { indexed: 1, n: 3 }]);
    assert.deepEqual(s.search('NEEDLE', { limit: 10 }).map((l) => l.line), ['the newest needle', 'a small needle, newer', 'the needle in the first flood', 'a small needle, oldest']);
    assert.deepEqual(s.search('needle', { limit: 2 }).map((l) => l.line), ['the newest needle', 'a small needle, newer']);
    assert.deepEqual(s.search('items/2999 200 second', { limit: 10, service: 'api' }).map((l) => l.line), ['GET /api/items/2999 200 second']);
    assert.deepEqual(s.search('items/2999 200 third', { limit: 10 }), []);
    // Forgotten text is gone from the bitmap too (made again from what is kept).
    const bitmapOf = (text: string) => (db.prepare('SELECT g.grams FROM service_grams g JOIN service_chunks c ON c.id = g.chunk_id WHERE instr(c.text, ?) > 0').get(text) as { grams: Buffer }).grams;
    const before = bitmapOf('GET /api/items/1 200 first');
    forget(db, { match: 'needle in the first' });
    assert.deepEqual(s.search('needle', { limit: 10 }).map((l) => l.line), ['the newest needle', 'a small needle, newer', 'a small needle, oldest']);
    assert.notDeepEqual(bitmapOf('GET /api/items/1 200 first'), before);
    // Retention cuts the large chunk to its newest lines: what went is not found.
    s.trim('s', 'api', 20, 0);
    assert.deepEqual(s.search('200 first', { limit: 10 }), []);
    assert.equal(s.search('200 second', { limit: 100 }).length, 19);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a store from before migration 12 moves its service output to the logs file: every line and both kinds of chunk found there, none left in the store', async () => {
  const Database = (await import('better-sqlite3')).default;
  const { migrations } = await import('./migrations.js');
  const { gramsOf } = await import('./grams.js');
  const dir = mkdtempSync(join(tmpdir(), 'trail-svc-store-'));
  try {
    // A store as version 11 left it, with a small chunk (in the index) and a large one (a bitmap).
    const old = new Database(join(dir, 'trail.db'));
    for (const m of migrations.slice(0, 11)) old.exec(m);
    old.pragma('user_version = 11');
    const big = Array.from({ length: 3000 }, (_, i) => `GET /api/items/${i} 200 flood`).join('\n') + '\nthe needle in the flood';
    const add = old.prepare('INSERT INTO service_chunks (session_id, service, stream, at, end_at, lines, text, raw, indexed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    add.run('s', 'web', 'out', 1000, 1000, 2, 'listening on 3000\nsmall needle', null, 1);
    const id = add.run('s', 'web', 'err', 2000, 2000, 3001, big, null, 0).lastInsertRowid;
    old.prepare('INSERT INTO service_grams (chunk_id, session_id, service, end_at, grams) VALUES (?, ?, ?, ?, ?)').run(id, 's', 'web', 2000, gramsOf(big));
    old.close();

    const db = openDb(join(dir, 'trail.db'));
    const s = new ServiceStore(db);
    assert.deepEqual(s.search('needle', { limit: 10 }).map((l) => l.line), ['the needle in the flood', 'small needle']);
    assert.equal(s.lines('s', 'web', { limit: 10_000 }).length, 3003);
    assert.equal((db.prepare("SELECT count(*) AS n FROM main.sqlite_schema WHERE name LIKE 'service_chunks%' OR name = 'service_grams'").get() as { n: number }).n, 0);
    assert.equal(db.pragma('logs.page_size', { simple: true }), 65536);
    // What comes after is written to, and found in, the logs file too.
    s.addChunks([chunk({ text: 'after the move', at: 3000, end_at: 3000 })]);
    db.close();
    const logs = new Database(join(dir, 'trail.logs.db'), { readonly: true });
    assert.equal((logs.prepare('SELECT count(*) AS n FROM service_chunks').get() as { n: number }).n, 3);
    logs.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a search that stops at its limit lets go of the store: the logs file can be checkpointed whole while the searching connection stays open', async () => {
  const Database = (await import('better-sqlite3')).default;
  const { attachLogs, logsFileOf } = await import('./db.js');
  const { searchLogs } = await import('./services.js');
  const dir = mkdtempSync(join(tmpdir(), 'trail-svc-store-'));
  try {
    const file = join(dir, 'trail.db');
    const db = openDb(file);
    const s = new ServiceStore(db);
    // Large chunks (bitmaps), each holding the text: the search stops after the first.
    const big = (n: number) => Array.from({ length: 3000 }, (_, i) => `GET /api/items/${i} 200 needle-${n}`).join('\n');
    s.addChunks([1, 2, 3].map((n) => chunk({ text: big(n), at: n, end_at: n })));
    // The search process's connection: read-only, kept open between searches.
    const reader = new Database(file, { readonly: true });
    attachLogs(reader, logsFileOf(file));
    assert.equal(searchLogs(reader, 'needle', { limit: 1 }).length, 1);
    s.addChunks([chunk({ text: big(4), at: 4, end_at: 4 })]);
    db.pragma('busy_timeout = 100');
    const [cp] = db.pragma('logs.wal_checkpoint(TRUNCATE)') as { busy: number; log: number }[];
    assert.deepEqual([cp.busy, cp.log], [0, 0], 'the WAL emptied: no read transaction left open by the search');
    reader.close();
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('colours kept as what each line lacks (migration 13) read back as written, through retention and forget', async () => {
  const { forget } = await import('./forget.js');
  const dir = mkdtempSync(join(tmpdir(), 'trail-svc-store-'));
  try {
    const db = openDb(join(dir, 'trail.db'));
    const s = new ServiceStore(db);
    const written = ['\x1b[31mred\x1b[0m done', 'plain', '\x1b]8;;https://x.test/?k=needle-in-a-link\x1b\\link\x1b]8;;\x1b\\ ✓', '\x1b[1mbold\x1b[22m'];
    const text = ['red done', 'plain', 'link ✓', 'bold'];
    // As native/relay.c coloursOf writes it: OFFSET:UNITS:RUN, in UTF-16 units of the line as shown.
    const run = (at: number, r: string) => `${at}:${r.length}:${r}`;
    const lacks = [run(0, '\x1b[31m') + run(3, '\x1b[0m'), '', run(0, '\x1b]8;;https://x.test/?k=needle-in-a-link\x1b\\') + run(4, '\x1b]8;;\x1b\\'), run(0, '\x1b[1m') + run(4, '\x1b[22m')];
    s.addChunks([chunk({ text: text.join('\n'), colours: Buffer.from(lacks.join('\n')) })]);
    const rows = s.lines('s', 'web', { limit: 10 });
    assert.deepEqual(rows.map((r) => r.line), text);
    assert.deepEqual(rows.map((r) => r.raw), [written[0], null, written[2], written[3]]);
    // Forgetting what only the colours hold (a link's address) takes its line away, as written too; the others keep their ids.
    forget(db, { match: 'needle-in-a-link' });
    const after = s.lines('s', 'web', { limit: 10 });
    assert.deepEqual(after.map((r) => r.line), ['red done', 'plain', 'bold']);
    assert.deepEqual(after.map((r) => r.raw), [written[0], null, written[3]]);
    assert.deepEqual(after.map((r) => r.id), [rows[0].id, rows[1].id, rows[3].id]);
    assert.deepEqual(s.search('link', { limit: 10 }), [], 'nor is it found');
    // Retention keeps the newest lines with their colours.
    s.addChunks([chunk({ text: text.join('\n'), colours: Buffer.from(lacks.join('\n')), at: 2000 })]);
    s.trim('s', 'web', 2, 0);
    assert.deepEqual(s.lines('s', 'web', { limit: 10 }).map((r) => r.raw), [written[2], written[3]]);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the log writer's retention leaves old output in free pages (it does not zero them); forget zeroes every free page, so a forgotten text leaves no copy", async () => {
  const Database = (await import('better-sqlite3')).default;
  const { readFileSync, existsSync } = await import('node:fs');
  const { forget } = await import('./forget.js');
  const { logsFileOf, logWriterPragmas } = await import('./db.js');
  const dir = mkdtempSync(join(tmpdir(), 'trail-svc-store-'));
  try {
    const file = join(dir, 'trail.db');
    const db = openDb(file);
    // The writer's own connection, as the daemon opens it.
    const w = new Database(logsFileOf(file));
    logWriterPragmas(w);
    const ws = new ServiceStore(w);
    const flood = (tag: string) => Array.from({ length: 4000 }, (_, i) => `GET /api/items/${i} 200 ${tag}`).join('\n');
    ws.addChunks([chunk({ text: flood('a') + '\nthe key was SECRETWORD-42\n' + flood('b'), at: 1 }), chunk({ text: flood('c'), at: 2, end_at: 2 })]);
    ws.trim('s', 'web', 100, 0);
    assert.deepEqual(ws.search('secretword', { limit: 10 }), [], 'retention took the chunk');
    const inFiles = () => [file, file + '-wal', logsFileOf(file), logsFileOf(file) + '-wal'].some((f) => existsSync(f) && readFileSync(f).includes('SECRETWORD-42'));
    w.pragma('wal_checkpoint(TRUNCATE)');
    assert.ok(inFiles(), 'the free pages still hold the text retention took (else this test shows nothing)');
    const kept = ws.lines('s', 'web', { limit: 1000 }).map((l) => l.line);
    const f = forget(db, { match: 'secretword' });
    assert.equal(f.walCleared, true);
    assert.equal(inFiles(), false, 'forget zeroed the free pages');
    // What is kept is untouched, and the writer goes on writing.
    assert.deepEqual(ws.lines('s', 'web', { limit: 1000 }).map((l) => l.line), kept);
    ws.addChunks([chunk({ text: 'after the forget', at: 3, end_at: 3 })]);
    assert.deepEqual(ws.search('after the forget', { limit: 10 }).map((l) => l.line), ['after the forget']);
    w.close();
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
