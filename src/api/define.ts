// An operation is declared once, in the contract (src/contract/ops.ts: name,
// summary, input and output schemas), and bound here to its handler. The
// socket, HTTP and MCP transports all dispatch through `invoke`, which
// validates input and maps failures to one error shape.
import type { z } from 'zod';
import { TrailError, isTrailError } from '../common/errors.js';
import { ops, type OpName, type OpOutput, type OpParsed } from '../contract/ops.js';
import type { ApiContext, Caller } from './context.js';

export type Operation = {
  name: OpName;
  summary: string;
  input: z.ZodType;
  output: z.ZodType;
  handler: (ctx: ApiContext, input: never, caller: Caller) => unknown;
};

/** Binds a handler to an operation of the contract: its input is the parsed input, its result must be the declared output. */
export function bind<K extends OpName>(
  name: K,
  handler: (ctx: ApiContext, input: OpParsed<K>, caller: Caller) => OpOutput<K> | Promise<OpOutput<K>>,
): Operation {
  const spec = ops[name];
  return { name, summary: spec.summary, input: spec.input, output: spec.output, handler: handler as Operation['handler'] };
}

/** TRAIL_CHECK_OUTPUT=1 (the tests set it): every result is checked against its declared output too. */
const checkOutput = process.env.TRAIL_CHECK_OUTPUT === '1';

export async function invoke(table: Map<string, Operation>, ctx: ApiContext, name: string, raw: unknown, caller: Caller): Promise<unknown> {
  const op = table.get(name);
  if (!op) throw new TrailError('not_found', `unknown operation "${name}"; the daemon may be older than this client (trail daemon stop)`);
  const parsed = op.input.safeParse(raw ?? {});
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new TrailError('invalid', `${name}: ${i.path.join('.') || 'input'}: ${i.message}`);
  }
  const value = await (op.handler as (c: ApiContext, i: unknown, k: Caller) => unknown)(ctx, parsed.data, caller);
  if (checkOutput) {
    const out = op.output.safeParse(value);
    if (!out.success) {
      const i = out.error.issues[0];
      throw new TrailError('internal', `${name} returned what its contract does not say: ${i.path.join('.') || 'output'}: ${i.message}`);
    }
  }
  return value;
}

export function errorShape(e: unknown): { code: string; message: string } {
  if (isTrailError(e)) return { code: e.code, message: e.message };
  return { code: 'internal', message: (e as Error)?.message ?? String(e) };
}
