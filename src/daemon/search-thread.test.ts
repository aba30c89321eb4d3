import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../store/db.js';
import { CommandStore, type NewCommand } from '../store/commands.js';
import { SearchThread } from './search-thread.js';

test('search runs off the event loop; a query past the limit is stopped and the next one gets a fresh process', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trail-search-'));
  try {
    const dbFile = join(dir, 'trail.db');
    const db = openDb(dbFile);
    const store = new CommandStore(db);
    const row = (i: number, output: string): NewCommand => ({
      session_id: 's',
      terminal_id: 't',
      command: `cmd-${i}`,
      cwd: '/',
      started_at: i,
      ended_at: i + 1,
      duration_ms: 1,
      exit_code: 0,
      git_root: null,
      branch: null,
      head: null,
      dirty: null,
      actor: 'user',
      output,
      output_bytes: output.length,
      output_truncated: 0,
      raw: null,
      screen: 0,
    });
    // every trigram of the query below is in every row, so every row is a candidate; the whole text is in none
    store.insertMany(Array.from({ length: 500 }, (_, i) => row(i, 'a'.repeat(20_000) + 'b' + 'a'.repeat(10))));
    store.insertMany([row(4000, 'the needle is here')]);
    const searcher = new SearchThread(dbFile);
    const needle = async () => (await searcher.search({ text: 'needle', filter: {}, limit: 20, field: 'all' })).map((h) => h.command);
    assert.deepEqual(await needle(), ['cmd-4000']); // the search process is up
    // LIKE tries 1,000 characters at each of 20,000 positions of 500 rows: seconds of work, stopped at 50 ms
    let ticks = 0;
    const tick = setInterval(() => ticks++, 5);
    await assert.rejects(searcher.search({ text: 'a'.repeat(500) + 'b' + 'a'.repeat(499), filter: {}, limit: 20, field: 'output' }, 50), /took longer than 0.05 s/);
    clearInterval(tick);
    assert.ok(ticks >= 3, `the event loop ran ${ticks} times while the search ran`);
    assert.deepEqual(await needle(), ['cmd-4000'], 'the next search runs in a fresh process');
    searcher.close();
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
