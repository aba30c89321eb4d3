// The trail's events, as one typed stream: one place emits (the session
// manager, the trail writer, and later the services), the store keeps them,
// and readers subscribe (later the briefing, the web UI, MCP) instead of
// polling the store. A subscriber that throws is logged and never stops the
// emitter or the other subscribers; a store that refuses the write is counted
// by StoreHealth, and subscribers hear the event all the same.
import { redact, type SecretPattern } from '../common/redact.js';
import type { SessionStore } from '../store/sessions.js';
import type { StoreHealth } from './store-health.js';

type Base = { sessionId: string; terminalId: string | null; at: number; actor?: string | null };

/** Every event of the trail, by kind, with its data. */
export type TrailEvent = Base &
  (
    | { kind: 'session.created'; data: { name: string; dir: string } }
    | { kind: 'session.renamed'; data: { from: string; to: string } }
    | { kind: 'session.killed'; data?: undefined }
    | { kind: 'terminal.started'; data: { command: string[] } }
    | { kind: 'terminal.exited'; data: { code: number | null; signal: number | null } }
    | { kind: 'terminal.lost'; data: { index: number; reason: string; running: number[] } }
    | { kind: 'recording.paused' | 'recording.resumed'; data: { terminal: number } }
    | { kind: 'client.attached' | 'client.detached'; data: { client: string; readOnly: boolean } }
    | { kind: 'daemon.stopped'; data: { why: string; terminals: number[]; running: number[] } }
    | { kind: 'service.started'; data: { service: string; pid: number; restarts: number } }
    | { kind: 'service.ready'; data: { service: string; afterMs: number; probe?: boolean } }
    | { kind: 'service.exited'; data: { service: string; code: number | null; signal: string | null } }
    | { kind: 'service.restarting'; data: { service: string; inMs: number; restarts: number } }
    | { kind: 'service.gave_up'; data: { service: string; code: number | null; restarts: number; lastLines: string[] } }
    | { kind: 'service.failed'; data: { service: string; reason: string } }
    | { kind: 'service.stopped'; data: { service: string; by: string } }
    | { kind: 'service.orphans'; data: { service: string; pid: number } }
    | { kind: 'note.added' | 'note.done'; data: { id: number; text: string } }
    | { kind: 'note.removed'; data: { id: number } }
    | { kind: 'chapter.started'; data: { title: string | null } }
    | { kind: 'policy.changed'; data: { level: 'read' | 'notes' | 'run' } }
    | { kind: 'approval.requested'; data: { id: number; command: string; reasons: string[] } }
    | { kind: 'approval.decided'; data: { id: number; command: string; state: 'approved' | 'denied' | 'expired'; by: string | null } }
    | { kind: 'agent.action'; data: { tool: string; args: string; outcome: 'ok' | 'error' | 'refused'; detail: string | null } }
    | { kind: 'forgot'; data: { commands: number; notes: number; lines: number; how: string } }
    // Commands are kept in their own table: these two are heard live, not stored again as events.
    | { kind: 'command.started'; data: { id: number; command: string; cwd: string | null } }
    | { kind: 'command.ended'; data: { id: number; exitCode: number | null; durationMs: number | null; endReason: string | null } }
    // A service's output stored (its lines are in the logs file): heard live by `svc logs -f`, never stored.
    | { kind: 'service.output'; data: { service: string } }
  );

export type EventKind = TrailEvent['kind'];
export type EventOf<K extends EventKind> = Extract<TrailEvent, { kind: K }>;

/** Kinds whose record is elsewhere (the commands table, the logs file): not written to the events table. */
const KEPT_ELSEWHERE = new Set<EventKind>(['command.started', 'command.ended', 'service.output']);

type Subscriber = { kinds: Set<EventKind> | null; fn: (e: TrailEvent) => void };

export class EventBus {
  private subscribers = new Set<Subscriber>();

  constructor(
    private store: SessionStore,
    private health: StoreHealth,
    private secrets: SecretPattern[],
    private log: (line: string) => void,
  ) {}

  /** Writes the event (redacted) where it is kept, then tells every subscriber of its kind. */
  emit(e: TrailEvent): void {
    if (!KEPT_ELSEWHERE.has(e.kind)) {
      const json = e.data === undefined ? null : redact(JSON.stringify(e.data), this.secrets);
      this.health.attempt(`a ${e.kind} event`, () => this.store.event(e.sessionId, e.terminalId, e.at, e.kind, e.actor ?? null, json));
    }
    for (const s of [...this.subscribers]) {
      if (s.kinds && !s.kinds.has(e.kind)) continue;
      try {
        s.fn(e);
      } catch (err) {
        this.log(`an event subscriber failed on ${e.kind}: ${(err as Error).stack ?? err}`);
      }
    }
  }

  /** Hears the events of these kinds (all kinds with '*') from now on; returns the way to stop. */
  on<K extends EventKind>(kinds: K[] | '*', fn: (e: EventOf<K>) => void): () => void {
    const s: Subscriber = { kinds: kinds === '*' ? null : new Set<EventKind>(kinds), fn: fn as (e: TrailEvent) => void };
    this.subscribers.add(s);
    return () => this.subscribers.delete(s);
  }

  /** Whether anyone hears this kind by name ('*' does not count): what is done only for a listener can be skipped. */
  heard(kind: EventKind): boolean {
    for (const s of this.subscribers) if (s.kinds?.has(kind)) return true;
    return false;
  }
}
