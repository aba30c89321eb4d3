// Runs one call against the daemon and closes the connection.
import { DaemonClient } from './client.js';

export async function call<T>(op: string, input: unknown = {}, opts: { start?: boolean } = {}): Promise<T> {
  const c = await DaemonClient.connect(opts);
  try {
    return await c.call<T>(op, input);
  } finally {
    c.close();
  }
}

export function termSize(): { cols?: number; rows?: number } {
  return process.stdout.isTTY ? { cols: process.stdout.columns, rows: process.stdout.rows } : {};
}
