// The search process's side (search-thread.ts): a read-only connection, one query per message.
import Database from 'better-sqlite3';
import { attachLogs, logsFileOf } from '../store/db.js';
import { searchCommands } from '../store/commands.js';
import { searchLogs } from '../store/services.js';
import { outputCutoff } from '../store/retention.js';
import type { SearchMessage } from './search-thread.js';

const db = new Database(process.argv[2], { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
attachLogs(db, logsFileOf(process.argv[2]));

process.on('message', (req: SearchMessage) => {
  try {
    if (req.kind === 'outputCutoff') {
      const id = outputCutoff(db, req.maxBytes);
      process.send!({ rows: id === null ? [] : [{ id }] });
      return;
    }
    process.send!({ rows: req.kind === 'logs' ? searchLogs(db, req.text, req.opts) : searchCommands(db, req.text, req.filter, req.limit, req.field) });
  } catch (e) {
    process.send!({ error: (e as Error).message });
  }
});
// The daemon went away (even by kill -9): so does this.
process.on('disconnect', () => process.exit(0));
