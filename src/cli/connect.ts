// Runs one call against the daemon and closes the connection.
import { DaemonClient, ClientError } from './client.js';
import { trailPaths } from '../platform/paths.js';
import { isTrailError } from '../common/errors.js';

export async function call<T>(op: string, input: unknown = {}, opts: { start?: boolean } = {}): Promise<T> {
  const c = await DaemonClient.connect(opts);
  try {
    return await c.call<T>(op, input);
  } finally {
    c.close();
  }
}

/**
 * A call that only reads the trail: answered by the daemon if one runs, else
 * from the store itself (read-only), so reading starts no daemon.
 */
export async function read<T>(op: string, input: unknown = {}): Promise<T> {
  try {
    return await call<T>(op, input, { start: false });
  } catch (e) {
    if (!(e instanceof ClientError) || e.code !== 'not_running') throw e;
  }
  const { invokeOffline } = await import('../api/offline.js');
  try {
    return (await invokeOffline(trailPaths().db, op, input)) as T;
  } catch (e) {
    if (isTrailError(e) && e.code === 'unavailable') return call<T>(op, input);
    if (isTrailError(e)) throw new ClientError(e.message, e.code);
    throw e;
  }
}

export function termSize(): { cols?: number; rows?: number } {
  return process.stdout.isTTY ? { cols: process.stdout.columns, rows: process.stdout.rows } : {};
}
