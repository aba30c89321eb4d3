// The one versioned description of what crosses the daemon's socket.
// Bump PROTOCOL_VERSION whenever a message changes shape: a client of another
// version is told to restart the daemon instead of receiving garbage. The zod
// schema that checks client messages lives in protocol-schema.ts, so the CLI
// does not load zod (it costs the attach client ~80 ms of start-up).
import type { TerminalView } from '../contract/ops.js';

export const PROTOCOL_VERSION = 2;

/** What a client may send; validated by the daemon with the zod schema in protocol-schema.ts. */
export type ClientMessage =
  | { t: 'hello'; version: number; client: string }
  | { t: 'call'; id: number; op: string; input: unknown }
  | {
      t: 'attach';
      session: string;
      terminal?: string;
      /** A tty service's terminal instead of one of the session's (trail svc attach). */
      service?: string;
      readOnly: boolean;
      client: string;
      cols: number;
      rows: number;
      /** trail's own keys (bytes); the daemon takes them out of the input. */
      keys: { detach: number; prefix: number };
      /** The client's terminal, for the daemon to read and write directly: its pid (fd 0), device and inode. */
      tty?: { pid: number; dev: number; ino: number };
      /** Rows of the client's screen in use (above its cursor): scrolled up into its scrollback before the session is drawn. */
      above?: number;
    }
  | { t: 'resize'; cols: number; rows: number }
  | { t: 'switch'; to: string }
  | { t: 'detach' }
  /** Hear the trail's events of these kinds (of one session, when named) as they happen, until the connection closes. */
  | { t: 'watch'; kinds: string[]; session?: string };

/** A terminal as the daemon describes it (the contract's TerminalView). */
export type TerminalInfo = TerminalView;

export type ServerMessage =
  | { t: 'hello'; version: number; daemonPid: number }
  | { t: 'result'; id: number; ok: true; value: unknown }
  | { t: 'result'; id: number; ok: false; error: { code: string; message: string } }
  /** direct: the daemon reads and writes the client's terminal itself; otherwise the client relays. */
  | { t: 'attached'; session: string; terminal: TerminalInfo; terminals: number; direct: boolean; service?: string }
  | { t: 'notice'; message: string }
  /** An event a watch asked for (its data redacted as the stored copy is). */
  | { t: 'event'; event: { kind: string; session: string | null; terminal: string | null; at: number; data: unknown } }
  /** rows: how many rows of the screen the session's last screen used (the client's goodbye goes below them). */
  | { t: 'exit'; terminal: string; code: number | null; signal: number | null; remaining: number; rows?: number }
  /** reason 'key': the person pressed the detach key. */
  | { t: 'detached'; reason: string; rows?: number }
  | { t: 'error'; code: string; message: string };
