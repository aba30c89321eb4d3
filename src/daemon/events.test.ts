import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../store/db.js';
import { SessionStore } from '../store/sessions.js';
import { CommandStore } from '../store/commands.js';
import { DEFAULT_PATTERNS } from '../common/redact.js';
import { StoreHealth } from './store-health.js';
import { EventBus, type TrailEvent } from './events.js';
import { TrailWriter } from './trail-writer.js';

function world() {
  const dir = mkdtempSync(join(tmpdir(), 'trail-events-'));
  const db = openDb(join(dir, 'trail.db'));
  const sessions = new SessionStore(db);
  const logged: string[] = [];
  const health = new StoreHealth((l) => logged.push(l));
  const bus = new EventBus(sessions, health, DEFAULT_PATTERNS, (l) => logged.push(l));
  return { dir, db, sessions, health, bus, logged, done: () => (db.close(), rmSync(dir, { recursive: true, force: true })) };
}

test('an event is kept in the store, redacted, and heard by the subscribers of its kind', () => {
  const w = world();
  try {
    const heard: TrailEvent[] = [];
    const all: string[] = [];
    w.bus.on(['terminal.exited'], (e) => heard.push(e));
    w.bus.on('*', (e) => all.push(e.kind));
    w.bus.emit({ kind: 'session.renamed', sessionId: 's1', terminalId: null, at: 5, data: { from: 'a', to: 'token=ghp_abcdefghijklmnopqrstuvwxyz0123456789' } });
    w.bus.emit({ kind: 'terminal.exited', sessionId: 's1', terminalId: 't1', at: 6, data: { code: 2, signal: null } });
    assert.deepEqual(all, ['session.renamed', 'terminal.exited']);
    assert.equal(heard.length, 1);
    assert.equal(heard[0].kind === 'terminal.exited' && heard[0].data.code, 2);
    const rows = w.sessions.events(['session.renamed', 'terminal.exited']);
    assert.deepEqual(rows.map((r) => r.kind), ['session.renamed', 'terminal.exited']);
    assert.ok(!rows[0].data!.includes('ghp_'), rows[0].data!);
  } finally {
    w.done();
  }
});

test('a subscriber that throws is logged; the others still hear it; unsubscribing stops it', () => {
  const w = world();
  try {
    let heard = 0;
    w.bus.on('*', () => {
      throw new Error('bad listener');
    });
    const off = w.bus.on(['session.killed'], () => heard++);
    w.bus.emit({ kind: 'session.killed', sessionId: 's', terminalId: null, at: 1 });
    off();
    w.bus.emit({ kind: 'session.killed', sessionId: 's', terminalId: null, at: 2 });
    assert.equal(heard, 1);
    assert.match(w.logged.join('\n'), /an event subscriber failed on session.killed: Error: bad listener/);
    assert.equal(w.sessions.events(['session.killed']).length, 2, 'both kept');
  } finally {
    w.done();
  }
});

test('commands are heard live as they start and end (kept in the commands table, not again as events)', () => {
  const w = world();
  try {
    const heard: string[] = [];
    w.bus.on(['command.started', 'command.ended'], (e) => heard.push(e.kind === 'command.started' ? `start ${e.data.command}` : `end ${e.data.id} ${e.data.exitCode}`));
    const writer = new TrailWriter(new CommandStore(w.db), DEFAULT_PATTERNS, w.health, w.bus);
    const c = { sessionId: 's', terminalId: 't', command: 'make test', commandBytes: null, seq: 1, cwd: null, startedAt: 10, actor: 'user' };
    let id: number | null = null;
    writer.batch(() => (id = writer.started(c)));
    writer.batch(() => writer.ended(id, c, { endedAt: 30, exitCode: 2, endReason: null, output: 'boom', raw: 'boom', outputBytes: 4, truncated: false, screen: false }));
    assert.deepEqual(heard, ['start make test', `end ${id} 2`]);
    assert.equal(w.sessions.events(['command.started', 'command.ended']).length, 0);
  } finally {
    w.done();
  }
});
