import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from './db.js';
import { CommandStore, type NewCommand } from './commands.js';
import { ServiceStore } from './services.js';
import { storeSizes, trimOutput, trimOldLogs, outputCutoff, trimOutputUpTo } from './retention.js';

const cmd = (started_at: number, output: string): NewCommand => ({
  session_id: 's', terminal_id: 't', command: `echo ${output}`, cwd: '/w', started_at, ended_at: started_at + 1, duration_ms: 1, exit_code: 0,
  git_root: null, branch: null, head: null, dirty: null, actor: 'user', output, output_bytes: output.length, output_truncated: 0, raw: `\x1b[1m${output}`, screen: 0,
});

test('retention lets old output and old service logs go, a batch at a time, keeping the command lines; the store says its size by kind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trail-ret-'));
  try {
    const db = openDb(join(dir, 'trail.db'));
    const commands = new CommandStore(db);
    for (let i = 0; i < 5; i++) commands.insert(cmd(1000 + i, `old-output-${i}`));
    const fresh = commands.insert(cmd(9000, 'new-output'));
    const logs = new ServiceStore(db);
    logs.addChunks([
      { session_id: 's', service: 'web', stream: 'out', at: 100, end_at: 100, lines: 1, text: 'old log line', raw: null },
      { session_id: 's', service: 'web', stream: 'out', at: 9000, end_at: 9000, lines: 1, text: 'new log line', raw: null },
    ]);
    assert.equal(trimOutput(db, 5000, 3), 3, 'a batch at a time');
    assert.equal(trimOutput(db, 5000, 3), 2);
    assert.equal(trimOutput(db, 5000, 3), 0);
    const all = commands.list({}, 10);
    assert.equal(all.length, 6, 'the command lines stay');
    assert.equal(commands.get(all[0].id)!.output, '');
    assert.equal(commands.get(all[0].id)!.raw, null);
    assert.equal(commands.get(fresh)!.output, 'new-output');
    assert.deepEqual(commands.search('old-output', {}, 10, 'output'), [], 'nor is it found in output');
    assert.equal(trimOldLogs(db, 5000, 10), 1);
    assert.deepEqual(logs.lines('s', 'web', { limit: 10 }).map((l) => l.line), ['new log line']);
    const sizes = storeSizes(db);
    assert.ok(sizes.commands > 0 && sizes.index > 0 && sizes.serviceOutput > 0 && sizes.events > 0, JSON.stringify(sizes));
    assert.equal(sizes.file, sizes.commands + sizes.index + sizes.serviceOutput + sizes.events + sizes.notes + sizes.other);
    // A large chunk of output is counted at its size, in the logs file's 64 KiB pages.
    logs.addChunks([{ session_id: 's', service: 'web', stream: 'out', at: 9001, end_at: 9001, lines: 1, text: 'x'.repeat(1_000_000), raw: null }]);
    const after = storeSizes(db);
    assert.ok(after.serviceOutput >= 1_000_000, JSON.stringify(after));
    // Not yet copied into the file, it is in the logs file's WAL, and said so.
    assert.ok(after.wal >= 1_000_000, JSON.stringify(after));
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the size limit: the oldest output goes first until what is kept fits', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trail-ret-'));
  try {
    const db = openDb(join(dir, 'trail.db'));
    const commands = new CommandStore(db);
    const ids = Array.from({ length: 10 }, (_, i) => commands.insert({ ...cmd(1000 + i, 'x'.repeat(100)), raw: null }));
    assert.equal(outputCutoff(db, 10_000), null, 'all fits');
    const cut = outputCutoff(db, 350)!;
    assert.equal(cut, ids[6], 'the newest 3 (300 bytes) fit; the 4th and older do not');
    assert.equal(trimOutputUpTo(db, cut, 5), 5);
    assert.equal(trimOutputUpTo(db, cut, 5), 2);
    assert.deepEqual(ids.map((id) => commands.get(id)!.output.length), [0, 0, 0, 0, 0, 0, 0, 100, 100, 100]);
    assert.equal(outputCutoff(db, 350), null);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
