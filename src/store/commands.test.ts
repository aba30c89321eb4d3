import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from './db.js';
import { CommandStore, type NewCommand } from './commands.js';

function row(over: Partial<NewCommand>): NewCommand {
  return {
    session_id: 's', terminal_id: 't', command: 'true', cwd: '/w', started_at: 1000, ended_at: 1001, duration_ms: 1, exit_code: 0,
    git_root: null, branch: null, head: null, dirty: null, actor: 'user', output: '', output_bytes: 0, output_truncated: 0, raw: null, screen: 0,
    ...over,
  };
}

test('search: substrings, literal % and _, case, fields, newest first, filters; the file reopens', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trail-store-'));
  try {
    const file = join(dir, 'trail.db');
    let db = openDb(file);
    let s = new CommandStore(db);
    s.insert(row({ command: 'make build', output: 'Compiling...\nERROR: disk 100% full_now', exit_code: 2, started_at: 1 }));
    s.insert(row({ command: 'echo 100 full', output: '100 full', started_at: 2, cwd: '/w/sub' }));
    s.insert(row({ command: 'grep error log', output: 'no matches', started_at: 3, branch: 'dev' }));
    db.close();
    db = openDb(file); // migrations are idempotent; data survives
    s = new CommandStore(db);
    assert.deepEqual(s.search('100% full', {}, 10).map((r) => r.command), ['make build']);
    assert.deepEqual(s.search('full_now', {}, 10).map((r) => r.command), ['make build']);
    assert.deepEqual(s.search('error', {}, 10).map((r) => r.command), ['grep error log', 'make build']);
    assert.deepEqual(s.search('error', {}, 10, 'command').map((r) => r.command), ['grep error log']);
    assert.deepEqual(s.search('error', {}, 10, 'output').map((r) => r.command), ['make build']);
    assert.deepEqual(s.search('error', { failed: true }, 10).map((r) => r.command), ['make build']);
    assert.deepEqual(s.search('error', { branch: 'dev' }, 10).map((r) => r.command), ['grep error log']);
    assert.deepEqual(s.search('full', { dirPrefix: '/w/sub' }, 10).map((r) => r.command), ['echo 100 full']);
    assert.deepEqual(s.search('e', {}, 1).length, 1, 'short text still searches');
    assert.deepEqual(s.list({}, 2).map((r) => r.command), ['echo 100 full', 'grep error log']);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
