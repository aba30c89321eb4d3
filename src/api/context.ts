// What every operation can reach. Built once by the daemon's entry point.
import type { SessionManager } from '../daemon/sessions.js';
import type { CommandStore } from '../store/commands.js';
import type { StoreHealth } from '../daemon/store-health.js';
import type { SearchThread } from '../daemon/search-thread.js';
import type { Paths } from '../platform/paths.js';
import type { SecretPattern } from '../common/redact.js';
import type { Services } from '../daemon/services.js';
import type { NoteStore } from '../store/notes.js';
import type { PolicyStore } from '../store/policy.js';
import type { Db } from '../store/db.js';

export type ApiContext = {
  manager: SessionManager;
  commands: CommandStore;
  health: StoreHealth;
  /** Search, off the event loop. */
  searcher: SearchThread;
  sessionNames: () => Map<string, string>;
  paths: Paths;
  startedAt: number;
  version: string;
  stop: () => void;
  now: () => number;
  /** The secret patterns in force: everything written is redacted with them. */
  secrets: SecretPattern[];
  /** The sessions' services. */
  services: Services;
  /** The store itself, for what spans its tables (trail forget). */
  db: Db;
  /** Notes and visit cursors. */
  notes: NoteStore;
  /** Rules for agents' commands, approvals, HTTP tokens. */
  policy: PolicyStore;
  /** Settings from config.yaml that the api applies. */
  settings: { status: boolean; brief: { on: boolean; afterMs: number } };
  /** The HTTP server, once listening (url null: not served). */
  http: { url: string | null; problem: string | null };
};

/** Who is calling: the CLI user, a browser, or an agent by name. */
/** pid: the calling process, known from the socket (null over HTTP, or where it cannot be known). */
export type Caller = { client: string; pid?: number | null };
