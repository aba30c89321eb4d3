// The logs file's checkpoints, on a thread of their own (started by the log
// writer's thread, log-writer-thread.ts): copying 40 MB of the WAL into the
// file and waiting for the disk (two fsyncs) took the writer a third of its
// time, and a flood's pipes were paused meanwhile. Here the writer goes on
// while the copy is made; it copies only what it wrote meanwhile itself.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { logsPragmas } from '../store/db.js';

export type CheckpointResult = { busy: number; log: number; checkpointed: number };

const { file, answers } = workerData as { file: string; answers: MessagePort };
const db = new Database(file, { fileMustExist: true });
logsPragmas(db);
db.pragma('busy_timeout = 5000');
db.pragma('wal_autocheckpoint = 0');
parentPort!.on('message', (m: 'checkpoint' | 'close') => {
  if (m === 'close') {
    db.close();
    answers.close();
    parentPort!.close();
    return;
  }
  let r: CheckpointResult = { busy: 1, log: -1, checkpointed: -1 };
  try {
    r = (db.pragma('wal_checkpoint(PASSIVE)') as CheckpointResult[])[0];
  } catch {
    /* the writer checkpoints itself when none comes */
  }
  answers.postMessage(r);
});
