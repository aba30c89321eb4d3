// An operation is declared once: name, summary, zod input, handler. The socket,
// HTTP and MCP transports all dispatch through `invoke`, which validates input
// and maps failures to one error shape.
import { z } from 'zod';
import { TrailError, isTrailError } from '../common/errors.js';
import type { ApiContext, Caller } from './context.js';

export type Operation<I extends z.ZodType = z.ZodType, O = unknown> = {
  name: string;
  summary: string;
  input: I;
  handler: (ctx: ApiContext, input: z.infer<I>, caller: Caller) => O | Promise<O>;
};

export function defineOp<I extends z.ZodType, O>(op: Operation<I, O>): Operation<I, O> {
  return op;
}

export async function invoke(ops: Map<string, Operation>, ctx: ApiContext, name: string, raw: unknown, caller: Caller): Promise<unknown> {
  const op = ops.get(name);
  if (!op) throw new TrailError('not_found', `unknown operation "${name}"; the daemon may be older than this client (trail daemon stop)`);
  const parsed = op.input.safeParse(raw ?? {});
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new TrailError('invalid', `${name}: ${i.path.join('.') || 'input'}: ${i.message}`);
  }
  return await op.handler(ctx, parsed.data, caller);
}

export function errorShape(e: unknown): { code: string; message: string } {
  if (isTrailError(e)) return { code: e.code, message: e.message };
  return { code: 'internal', message: (e as Error)?.message ?? String(e) };
}
