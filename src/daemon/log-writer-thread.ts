// The log writer's thread (log-writer.ts is the daemon's side): services'
// output made into chunks (log-chunk.ts: redacted, stripped, its bitmap of
// pieces) and written to the logs file on a connection of its own, then
// retention. The daemon's loop only reads the pipes and sends what it read.
import { MessageChannel, parentPort, receiveMessageOnPort, Worker, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { logWriterPragmas } from '../store/db.js';
import { ServiceStore } from '../store/services.js';
import { nativeGrams, nativeHints, nativeScan, nativeScanBytes, nativeShownBytes } from '../platform/relay.js';
import { useHintFinder } from '../common/redact.js';
import { chunksOfBytes, type KeyState, type Sent } from './log-chunk.js';
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
  | { kind: 'written'; bytes: number; failed: { what: string; message: string }[]; buffers: ArrayBuffer[]; stored: { sessionId: string; service: string }[] }
  | { kind: 'synced'; id: number };

const init = workerData as WriterInit;
const port = parentPort!;
const db = new Database(init.file, { fileMustExist: true });
logWriterPragmas(db);
db.pragma('busy_timeout = 5000');
// Checkpoints are the checkpointer's (below); what a daemon killed left in the WAL is copied in first.
db.pragma('wal_autocheckpoint = 0');
db.pragma('wal_checkpoint(TRUNCATE)');
useHintFinder(nativeHints());
const store = new ServiceStore(db, nativeGrams() ?? undefined);
const scan = nativeScan();
const scanBytes = nativeScanBytes();
const shown = nativeShownBytes();
const secrets = secretPatterns(init.redact);
let sinceTrim = 0;
/** Each service's streams that are inside a private key (log-chunk.ts KeyState). */
const keys = new Map<string, KeyState>();
function keyOf(sessionId: string, g: Sent): KeyState {
  const k = `${sessionId}\n${g.service}\n${g.stream}`;
  let s = keys.get(k);
  if (!s) keys.set(k, (s = { open: false }));
  return s;
}

/**
 * A checkpoint every 40 MB written, as the store's, made by the checkpoint
 * thread while writing goes on. When it is done, what was written meanwhile
 * is checkpointed again there, until that is little (4 MiB): that last bit is
 * copied here, the WAL is then wholly in the file, and the next write starts
 * it again from its beginning instead of making it longer. (Copied here at
 * once, what came during a 40 MB checkpoint cost the writer as much time as
 * its inserts.) Should the thread not keep up, the writer checkpoints itself
 * past 160 MB.
 */
const CHECKPOINT_BYTES = 40 * 1024 * 1024;
const CATCH_UP_BYTES = 4 * 1024 * 1024;
// Its answers come on a port of their own, read between writes (receiveMessageOnPort), never waited for.
const answers = new MessageChannel();
const checkpointer = new Worker(new URL('./log-checkpoint-thread.js', import.meta.url), { workerData: { file: init.file, answers: answers.port2 }, transferList: [answers.port2] });
checkpointer.unref();
/** Written since the WAL last started over, and since the checkpoint thread was last asked. */
let walBytes = 0;
let sinceAsked = 0;
let checkpointing = false;
function ask(): void {
  checkpointing = true;
  sinceAsked = 0;
  checkpointer.postMessage('checkpoint');
}
/**
 * What a transaction adds to the WAL beyond its output: the pages it touches
 * (the chunks' table and index, the bitmaps, page 1) are written whole, 64
 * KiB each. Counted as output alone, a quiet service's lines (a transaction
 * each, ~325 KB of WAL for a few bytes) grew the WAL ~1 MB a second with no
 * checkpoint for hours.
 */
const PAGES_A_WRITE = 5 * (db.pragma('page_size', { simple: true }) as number);
function checkpoint(output: number): void {
  const written = output + PAGES_A_WRITE;
  walBytes += written;
  sinceAsked += written;
  if (checkpointing && receiveMessageOnPort(answers.port1)) {
    checkpointing = false;
    if (sinceAsked > CATCH_UP_BYTES) return ask();
    walBytes = 0;
    db.pragma('wal_checkpoint(PASSIVE)');
  } else if (!checkpointing && walBytes >= CHECKPOINT_BYTES) ask();
  else if (walBytes >= 4 * CHECKPOINT_BYTES) {
    walBytes = 0;
    db.pragma('wal_checkpoint(PASSIVE)');
  }
}

type Write = Extract<ToWriter, { kind: 'write' }>;

/** Writes what several messages sent in one transaction (a flood's chunks queue up while one is written), then retention. */
function write(ms: Write[]): { what: string; message: string }[] {
  const failed: { what: string; message: string }[] = [];
  let lines = 0;
  const sent = ms.reduce((n, m) => n + m.sent.length, 0);
  try {
    const chunks = ms.flatMap((m) => m.sent.flatMap((g) => chunksOfBytes(m.sessionId, g, secrets, scanBytes, scan, keyOf(m.sessionId, g), shown)));
    store.addChunks(chunks);
    lines = chunks.reduce((n, c) => n + c.lines, 0);
  } catch (e) {
    failed.push({ what: `${sent} chunk(s) of service output`, message: (e as Error).message });
  }
  // Retention, now and then: each service's newest lines, none too old.
  sinceTrim += lines;
  if (sinceTrim >= init.trimEvery) {
    sinceTrim = 0;
    const { lines: keep, days } = init.retention;
    const services = new Map(ms.flatMap((m) => m.sent.map((g) => [`${m.sessionId}\n${g.service}`, [m.sessionId, g.service] as const])));
    for (const [sessionId, name] of services.values())
      try {
        store.trim(sessionId, name, keep, Date.now() - days * 86_400_000);
      } catch (e) {
        failed.push({ what: 'service log retention', message: (e as Error).message });
      }
  }
  return failed;
}

const queue: ToWriter[] = [];
let running = false;
/** At most this much is written in one transaction. */
const BATCH_BYTES = 2 * 1024 * 1024;

async function run(): Promise<void> {
  running = true;
  while (queue.length) {
    const m = queue.shift()!;
    if (m.kind === 'sync') port.postMessage({ kind: 'synced', id: m.id } satisfies FromWriter);
    else if (m.kind === 'close') {
      const gone = new Promise((r) => checkpointer.once('exit', r));
      checkpointer.postMessage('close');
      await gone;
      db.close();
      port.close();
      return;
    } else {
      const batch = [m];
      let bytes = m.bytes;
      // What came in while the last batch was written is here already: taken now, not one turn of the loop at a time.
      for (let r = receiveMessageOnPort(port); r; r = receiveMessageOnPort(port)) queue.push(r.message as ToWriter);
      while (queue[0]?.kind === 'write' && bytes < BATCH_BYTES) {
        const next = queue.shift() as Write;
        batch.push(next);
        bytes += next.bytes;
      }
      const t0 = performance.now();
      const failed = write(batch);
      try {
        checkpoint(bytes);
      } catch (e) {
        failed.push({ what: 'a checkpoint of the logs file', message: (e as Error).message });
      }
      // The buffers go back to be filled again: a flood then allocates nothing (and makes no garbage) per chunk.
      const buffers = [...new Set(batch.flatMap((b) => b.sent.map((g) => g.data.buffer as ArrayBuffer)))];
      // Whose output this was, for those following it (svc logs -f).
      const stored = [...new Map(batch.flatMap((b) => b.sent.map((g) => [`${b.sessionId}\n${g.service}`, { sessionId: b.sessionId, service: g.service }] as const))).values()];
      port.postMessage({ kind: 'written', bytes, failed, buffers, stored } satisfies FromWriter, buffers);
      // While someone watches a busy terminal, writing rests: this machine's cores go to the terminal first.
      const rest = batch.some((b) => b.watched) ? ((performance.now() - t0) * (1 - init.watchedShare)) / init.watchedShare : 0;
      if (rest >= 1) await new Promise((r) => setTimeout(r, rest));
    }
  }
  running = false;
}

port.on('message', (m: ToWriter) => {
  queue.push(m);
  if (!running) void run();
});
