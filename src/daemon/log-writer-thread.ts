// The log writer's thread (log-writer.ts is the daemon's side): services'
// output made into chunks (log-chunk.ts: redacted, stripped, its bitmap of
// pieces) and written to the logs file on a connection of its own, then
// retention. The daemon's loop only reads the pipes and sends what it read.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { logsPragmas } from '../store/db.js';
import { ServiceStore } from '../store/services.js';
import { nativeGrams, nativeHints, nativeScan, nativeScanBytes } from '../platform/relay.js';
import { useHintFinder } from '../common/redact.js';
import { chunksOfBytes, type Sent } from './log-chunk.js';
import { secretPatterns, type Config } from './config.js';

export type WriterInit = {
  file: string;
  redact: Config['redact'];
  retention: { lines: number; days: number };
  /** Lines written between two retention passes. */
  trimEvery: number;
  /** Of a core, what writing takes while someone watches a busy terminal. */
  watchedShare: number;
};
export type ToWriter =
  | { kind: 'write'; sessionId: string; sent: Sent[]; bytes: number; watched: boolean }
  | { kind: 'sync'; id: number }
  | { kind: 'close' };
export type FromWriter =
  | { kind: 'written'; bytes: number; failed: { what: string; message: string }[] }
  | { kind: 'synced'; id: number };

const init = workerData as WriterInit;
const port = parentPort!;
const db = new Database(init.file, { fileMustExist: true });
logsPragmas(db);
db.pragma('busy_timeout = 5000');
// A checkpoint every 40 MB of writes, as the store's (its pages are 64 KiB).
db.pragma('wal_autocheckpoint = 640');
useHintFinder(nativeHints());
const store = new ServiceStore(db, nativeGrams() ?? undefined);
const scan = nativeScan();
const scanBytes = nativeScanBytes();
const secrets = secretPatterns(init.redact);
let sinceTrim = 0;

function write(m: Extract<ToWriter, { kind: 'write' }>): { what: string; message: string }[] {
  const failed: { what: string; message: string }[] = [];
  let lines = 0;
  try {
    const chunks = m.sent.flatMap((g) => chunksOfBytes(m.sessionId, g, secrets, scanBytes, scan));
    store.addChunks(chunks);
    lines = chunks.reduce((n, c) => n + c.lines, 0);
  } catch (e) {
    failed.push({ what: `${m.sent.length} chunk(s) of service output`, message: (e as Error).message });
  }
  // Retention, now and then: each service's newest lines, none too old.
  sinceTrim += lines;
  if (sinceTrim >= init.trimEvery) {
    sinceTrim = 0;
    const { lines: keep, days } = init.retention;
    for (const name of new Set(m.sent.map((g) => g.service)))
      try {
        store.trim(m.sessionId, name, keep, Date.now() - days * 86_400_000);
      } catch (e) {
        failed.push({ what: 'service log retention', message: (e as Error).message });
      }
  }
  return failed;
}

const queue: ToWriter[] = [];
let running = false;
async function run(): Promise<void> {
  running = true;
  while (queue.length) {
    const m = queue.shift()!;
    if (m.kind === 'sync') port.postMessage({ kind: 'synced', id: m.id } satisfies FromWriter);
    else if (m.kind === 'close') {
      db.close();
      port.close();
      return;
    } else {
      const t0 = performance.now();
      const failed = write(m);
      port.postMessage({ kind: 'written', bytes: m.bytes, failed } satisfies FromWriter);
      // While someone watches a busy terminal, writing rests: this machine's cores go to the terminal first.
      const rest = m.watched ? ((performance.now() - t0) * (1 - init.watchedShare)) / init.watchedShare : 0;
      if (rest >= 1) await new Promise((r) => setTimeout(r, rest));
    }
  }
  running = false;
}

port.on('message', (m: ToWriter) => {
  queue.push(m);
  if (!running) void run();
});
