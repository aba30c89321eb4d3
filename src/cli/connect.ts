// Runs one operation against the daemon and closes the connection. Names,
// inputs and results are typed by the contract (src/contract/ops.ts).
import { DaemonClient, ClientError } from '../client/daemon-client.js';
import { trailPaths } from '../platform/paths.js';
import { isTrailError } from '../common/errors.js';
import type { OpInput, OpName, OpOutput, ReadOp } from '../contract/ops.js';

export async function call<K extends OpName>(op: K, input: OpInput<K>, opts: { start?: boolean } = {}): Promise<OpOutput<K>> {
  const c = await DaemonClient.connect(opts);
  try {
    return await c.call(op, input);
  } finally {
    c.close();
  }
}


/**
 * A call that only reads the trail: answered by the daemon if one runs, else
 * from the store itself (read-only), so reading starts no daemon.
 */
export async function read<K extends ReadOp>(op: K, input: OpInput<K>): Promise<OpOutput<K>> {
  try {
    return await call(op, input, { start: false });
  } catch (e) {
    if (!(e instanceof ClientError) || e.code !== 'not_running') throw e;
  }
  const { invokeOffline } = await import('../api/offline.js');
  try {
    return (await invokeOffline(trailPaths().db, op, input)) as OpOutput<K>;
  } catch (e) {
    if (isTrailError(e) && e.code === 'unavailable') return call(op, input);
    if (isTrailError(e)) throw new ClientError(e.message, e.code);
    throw e;
  }
}

export function termSize(): { cols?: number; rows?: number } {
  return process.stdout.isTTY ? { cols: process.stdout.columns, rows: process.stdout.rows } : {};
}
