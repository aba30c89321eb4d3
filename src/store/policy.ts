// The person's boundaries for agents, as kept: rules for commands, the
// approvals confirm rules ask for, and the tokens agents connect with over
// HTTP (a SHA-256 of each token, never the token).
import type Database from 'better-sqlite3';

export type RuleRow = { id: number; session_id: string; action: 'allow' | 'confirm' | 'deny'; pattern: string; created_at: number };
export type ApprovalState = 'pending' | 'approved' | 'denied' | 'expired';
export type ApprovalRow = {
  id: number;
  session_id: string;
  actor: string;
  command: string;
  terminal: string | null;
  reasons: string;
  state: ApprovalState;
  created_at: number;
  expires_at: number;
  decided_at: number | null;
  decided_by: string | null;
  handle: number | null;
};
export type TokenRow = { id: number; name: string; hash: string; level: 'read' | 'notes' | 'run'; created_at: number; last_used_at: number | null };

export class PolicyStore {
  constructor(private db: Database.Database) {}

  rules(sessionId: string): RuleRow[] {
    return this.db.prepare('SELECT * FROM policy_rules WHERE session_id = ? ORDER BY id').all(sessionId) as RuleRow[];
  }

  /** Sets the action for a pattern (a pattern has one action in a session). */
  setRule(sessionId: string, action: RuleRow['action'], pattern: string, at: number): void {
    this.db
      .prepare('INSERT INTO policy_rules (session_id, action, pattern, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (session_id, pattern) DO UPDATE SET action = excluded.action')
      .run(sessionId, action, pattern, at);
  }

  removeRule(sessionId: string, pattern: string): boolean {
    return this.db.prepare('DELETE FROM policy_rules WHERE session_id = ? AND pattern = ?').run(sessionId, pattern).changes > 0;
  }

  addApproval(a: Pick<ApprovalRow, 'session_id' | 'actor' | 'command' | 'terminal' | 'reasons' | 'created_at' | 'expires_at'>): number {
    const r = this.db
      .prepare("INSERT INTO approvals (session_id, actor, command, terminal, reasons, state, created_at, expires_at) VALUES (@session_id, @actor, @command, @terminal, @reasons, 'pending', @created_at, @expires_at)")
      .run(a);
    return Number(r.lastInsertRowid);
  }

  approval(id: number): ApprovalRow | undefined {
    return this.db.prepare('SELECT * FROM approvals WHERE id = ?').get(id) as ApprovalRow | undefined;
  }

  /** Pending approvals (of a session, or all), with those past their time marked expired first. */
  pending(now: number, sessionId?: string): ApprovalRow[] {
    this.db.prepare("UPDATE approvals SET state = 'expired' WHERE state = 'pending' AND expires_at <= ?").run(now);
    return (sessionId
      ? this.db.prepare("SELECT * FROM approvals WHERE state = 'pending' AND session_id = ? ORDER BY id").all(sessionId)
      : this.db.prepare("SELECT * FROM approvals WHERE state = 'pending' ORDER BY id").all()) as ApprovalRow[];
  }

  /** Decides a pending approval; false when it was not pending (decided already, or expired). */
  decide(id: number, state: 'approved' | 'denied' | 'expired', by: string | null, at: number): boolean {
    return this.db.prepare("UPDATE approvals SET state = ?, decided_by = ?, decided_at = ? WHERE id = ? AND state = 'pending'").run(state, by, at, id).changes > 0;
  }

  setHandle(id: number, handle: number | null): void {
    this.db.prepare('UPDATE approvals SET handle = ? WHERE id = ?').run(handle, id);
  }

  tokens(): TokenRow[] {
    return this.db.prepare('SELECT * FROM tokens ORDER BY id').all() as TokenRow[];
  }

  addToken(name: string, hash: string, level: TokenRow['level'], at: number): void {
    this.db.prepare('INSERT INTO tokens (name, hash, level, created_at) VALUES (?, ?, ?, ?)').run(name, hash, level, at);
  }

  tokenByHash(hash: string): TokenRow | undefined {
    return this.db.prepare('SELECT * FROM tokens WHERE hash = ?').get(hash) as TokenRow | undefined;
  }

  usedToken(id: number, at: number): void {
    this.db.prepare('UPDATE tokens SET last_used_at = ? WHERE id = ?').run(at, id);
  }

  revokeToken(name: string): boolean {
    return this.db.prepare('DELETE FROM tokens WHERE name = ?').run(name).changes > 0;
  }
}
