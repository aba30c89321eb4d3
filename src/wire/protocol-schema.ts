// The daemon's check of everything a client sends (see protocol.ts).
import { z } from 'zod';
import type { ClientMessage } from './protocol.js';

const size = z.object({ cols: z.number().int().min(2).max(1000), rows: z.number().int().min(1).max(1000) });

export const ClientMessageSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('hello'), version: z.number().int(), client: z.string().max(200) }),
  z.object({ t: z.literal('call'), id: z.number().int(), op: z.string().max(100), input: z.unknown() }),
  z.object({
    t: z.literal('attach'),
    session: z.string().max(200),
    terminal: z.string().max(100).optional(),
    service: z.string().max(200).optional(),
    readOnly: z.boolean().default(false),
    client: z.string().max(200),
    ...size.shape,
    keys: z.object({ detach: z.number().int().min(0).max(255), prefix: z.number().int().min(0).max(255) }),
    tty: z.object({ pid: z.number().int().positive(), dev: z.number().int().min(0), ino: z.number().int().min(0) }).optional(),
    above: z.number().int().min(0).max(1000).optional(),
  }),
  z.object({ t: z.literal('resize'), ...size.shape }),
  z.object({ t: z.literal('switch'), to: z.union([z.enum(['next', 'prev', 'new']), z.string().max(100)]) }),
  z.object({ t: z.literal('detach') }),
  z.object({ t: z.literal('watch'), kinds: z.array(z.string().max(50)).min(1).max(50), session: z.string().max(200).optional() }),
]);


// The schema and the hand-written type must agree: this fails to compile if they drift.
export const schemaMatchesType: (m: z.infer<typeof ClientMessageSchema>) => ClientMessage = (m) => m;
