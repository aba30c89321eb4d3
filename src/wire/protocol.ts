// The one versioned description of what crosses the daemon's socket.
// Bump PROTOCOL_VERSION whenever a message changes shape: a client of another
// version is told to restart the daemon instead of receiving garbage.
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;

const size = z.object({ cols: z.number().int().min(2).max(1000), rows: z.number().int().min(1).max(1000) });

export const ClientMessage = z.discriminatedUnion('t', [
  z.object({ t: z.literal('hello'), version: z.number().int(), client: z.string().max(200) }),
  z.object({ t: z.literal('call'), id: z.number().int(), op: z.string().max(100), input: z.unknown() }),
  z.object({
    t: z.literal('attach'),
    session: z.string().max(200),
    terminal: z.string().max(100).optional(),
    readOnly: z.boolean().default(false),
    client: z.string().max(200),
    ...size.shape,
  }),
  z.object({ t: z.literal('resize'), ...size.shape }),
  z.object({ t: z.literal('switch'), to: z.union([z.enum(['next', 'prev', 'new']), z.string().max(100)]) }),
  z.object({ t: z.literal('detach') }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export type TerminalInfo = {
  id: string;
  index: number;
  session: string;
  command: string[];
  cwd: string;
  pid: number | null;
  cols: number;
  rows: number;
  clients: number;
  shell: string | null;
  integrated: boolean;
  createdAt: number;
  exitedAt: number | null;
  exitCode: number | null;
};

export type ServerMessage =
  | { t: 'hello'; version: number; daemonPid: number }
  | { t: 'result'; id: number; ok: true; value: unknown }
  | { t: 'result'; id: number; ok: false; error: { code: string; message: string } }
  | { t: 'attached'; session: string; terminal: TerminalInfo; terminals: number }
  | { t: 'notice'; message: string }
  | { t: 'exit'; terminal: string; code: number | null; signal: number | null; remaining: number }
  | { t: 'detached'; reason: string }
  | { t: 'error'; code: string; message: string };
