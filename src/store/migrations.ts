// Schema history. Append only: never edit a migration that has shipped.
export const migrations: string[] = [
  // 1: sessions, terminals and the event trail
  `
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    dir TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_active_at INTEGER NOT NULL,
    killed_at INTEGER
  );
  -- a name is taken only while its session lives; killed sessions keep theirs with their trail
  CREATE UNIQUE INDEX sessions_live_name ON sessions(name) WHERE killed_at IS NULL;
  CREATE TABLE terminals (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    idx INTEGER NOT NULL,
    command TEXT NOT NULL,
    cwd TEXT NOT NULL,
    shell TEXT,
    created_at INTEGER NOT NULL,
    exited_at INTEGER,
    exit_code INTEGER
  );
  CREATE INDEX terminals_session ON terminals(session_id);
  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    terminal_id TEXT,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT,
    data TEXT
  );
  CREATE INDEX events_session ON events(session_id, at);
  `,
  // 2: commands with their output, and full-text search over both.
  // A trigram index gives substring matches ("rror" finds "error"), which word
  // tokenizers cannot. detail=none keeps only which rows hold a trigram, not
  // where: the index is a fraction of the size (measured: 7.6x the raw text
  // with positions), and LIKE queries still use it, checked against the row.
  // Command lines and output get an index each: a trigram index without
  // positions cannot tell columns apart, and a command search would otherwise
  // wade through every output that shares the trigrams (measured: p95 94 ms
  // at 1M commands with one shared index).
  `
  CREATE TABLE commands (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    terminal_id TEXT,
    command TEXT NOT NULL,
    cwd TEXT,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    duration_ms INTEGER,
    exit_code INTEGER,
    git_root TEXT,
    branch TEXT,
    head TEXT,
    dirty INTEGER,
    actor TEXT NOT NULL DEFAULT 'user',
    output TEXT NOT NULL DEFAULT '',
    output_bytes INTEGER NOT NULL DEFAULT 0,
    output_truncated INTEGER NOT NULL DEFAULT 0,
    raw TEXT,
    screen INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX commands_session ON commands(session_id, started_at);
  CREATE INDEX commands_started ON commands(started_at);
  CREATE VIRTUAL TABLE commands_cmd_fts USING fts5(
    command, content='commands', content_rowid='id', tokenize='trigram', detail=none
  );
  CREATE VIRTUAL TABLE commands_out_fts USING fts5(
    output, content='commands', content_rowid='id', tokenize='trigram', detail=none
  );
  CREATE TRIGGER commands_ai AFTER INSERT ON commands BEGIN
    INSERT INTO commands_cmd_fts(rowid, command) VALUES (new.id, new.command);
    INSERT INTO commands_out_fts(rowid, output) VALUES (new.id, new.output);
  END;
  CREATE TRIGGER commands_ad AFTER DELETE ON commands BEGIN
    INSERT INTO commands_cmd_fts(commands_cmd_fts, rowid, command) VALUES ('delete', old.id, old.command);
    INSERT INTO commands_out_fts(commands_out_fts, rowid, output) VALUES ('delete', old.id, old.output);
  END;
  CREATE TRIGGER commands_au AFTER UPDATE OF command, output ON commands BEGIN
    INSERT INTO commands_cmd_fts(commands_cmd_fts, rowid, command) VALUES ('delete', old.id, old.command);
    INSERT INTO commands_out_fts(commands_out_fts, rowid, output) VALUES ('delete', old.id, old.output);
    INSERT INTO commands_cmd_fts(rowid, command) VALUES (new.id, new.command);
    INSERT INTO commands_out_fts(rowid, output) VALUES (new.id, new.output);
  END;
  `,
  // 3: a command is written when it starts (ended_at NULL while it runs) and
  // completed when it ends, so a crash loses no command whose end was read.
  // seq is the shell's own count of command lines (the order within a
  // terminal); end_reason says why a command has no exit status (the daemon
  // stopped or died, the terminal ended, no end mark came); command_bytes is
  // the full length of a command line kept as head and tail.
  `
  ALTER TABLE commands ADD COLUMN seq INTEGER;
  ALTER TABLE commands ADD COLUMN end_reason TEXT;
  ALTER TABLE commands ADD COLUMN command_bytes INTEGER;
  CREATE INDEX commands_open ON commands(id) WHERE ended_at IS NULL;
  -- the end of a command sets its output only: reindex each column when it changes, not both
  DROP TRIGGER commands_au;
  CREATE TRIGGER commands_au_command AFTER UPDATE OF command ON commands BEGIN
    INSERT INTO commands_cmd_fts(commands_cmd_fts, rowid, command) VALUES ('delete', old.id, old.command);
    INSERT INTO commands_cmd_fts(rowid, command) VALUES (new.id, new.command);
  END;
  CREATE TRIGGER commands_au_output AFTER UPDATE OF output ON commands BEGIN
    INSERT INTO commands_out_fts(commands_out_fts, rowid, output) VALUES ('delete', old.id, old.output);
    INSERT INTO commands_out_fts(rowid, output) VALUES (new.id, new.output);
  END;
  `,
  // 4: history imported from other tools (trail import): the host a command
  // ran on where the source knows it, and a key per imported entry so that
  // importing the same history again adds nothing twice.
  `
  ALTER TABLE commands ADD COLUMN host TEXT;
  ALTER TABLE commands ADD COLUMN import_key TEXT;
  CREATE UNIQUE INDEX commands_import ON commands(import_key) WHERE import_key IS NOT NULL;
  `,
  // 5: services. Their output, a line a row with its time and stream (redacted
  // before it is written); and each run of a service (pid, process group and
  // the process's start time from /proc), so that a daemon that follows a
  // killed one can find and stop what is left of it.
  `
  CREATE TABLE service_logs (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    service TEXT NOT NULL,
    at INTEGER NOT NULL,
    stream TEXT NOT NULL,
    line TEXT NOT NULL
  );
  CREATE INDEX service_logs_by_service ON service_logs(session_id, service, id);
  CREATE TABLE service_runs (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    service TEXT NOT NULL,
    pid INTEGER NOT NULL,
    proc_start TEXT,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    exit_code INTEGER
  );
  CREATE INDEX service_runs_open ON service_runs(id) WHERE ended_at IS NULL;
  `,
  // 6: services' output in chunks: the lines one stream of one service wrote
  // in one go (up to a flush, 100 ms), a row per chunk. A row and an index
  // entry per line cost 17 times as much as a row per chunk (26k against
  // 434k lines/s measured with the trigram index): a service that floods
  // its output must not be what the store spends its time on. `text` is
  // what a person saw (escape sequences gone, carriage-return overwrites
  // applied), a line per '\n', redacted; `raw` the same lines as written,
  // colours kept, where any line had escape sequences. The trigram index
  // over `text` finds candidate chunks, newest first; a line's id is
  // chunk id × 65536 + its index in the chunk as written (retention may cut
  // a chunk's oldest lines: `first` counts them).
  `
  CREATE TABLE service_chunks (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    service TEXT NOT NULL,
    stream TEXT NOT NULL,
    at INTEGER NOT NULL,
    end_at INTEGER NOT NULL,
    lines INTEGER NOT NULL,
    first INTEGER NOT NULL DEFAULT 0,
    text TEXT NOT NULL,
    raw TEXT
  );
  CREATE INDEX service_chunks_by_service ON service_chunks(session_id, service, id);
  CREATE VIRTUAL TABLE service_chunks_fts USING fts5(
    text, content='service_chunks', content_rowid='id', tokenize='trigram', detail=none
  );
  CREATE TRIGGER service_chunks_ai AFTER INSERT ON service_chunks BEGIN
    INSERT INTO service_chunks_fts(rowid, text) VALUES (new.id, new.text);
  END;
  CREATE TRIGGER service_chunks_ad AFTER DELETE ON service_chunks BEGIN
    INSERT INTO service_chunks_fts(service_chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
  END;
  -- retention cuts the oldest kept chunk down to its newest lines (first: how many went)
  CREATE TRIGGER service_chunks_au AFTER UPDATE OF text ON service_chunks BEGIN
    INSERT INTO service_chunks_fts(service_chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO service_chunks_fts(rowid, text) VALUES (new.id, new.text);
  END;
  INSERT INTO service_chunks (session_id, service, stream, at, end_at, lines, text)
    SELECT session_id, service, stream, at, at, 1, line FROM service_logs ORDER BY id;
  DROP TABLE service_logs;
  `,
  // 7: returning (issue 11). A visit cursor per session and identity (the
  // person at the CLI, each browser, each agent): when its last visit ended,
  // so that "since your last visit" is its own. Notes people leave for
  // themselves, on a command, a service or a file line (with the line's
  // text then, to tell when the file has changed under the note).
  `
  CREATE TABLE visits (
    session_id TEXT NOT NULL,
    identity TEXT NOT NULL,
    ended_at INTEGER NOT NULL,
    PRIMARY KEY (session_id, identity)
  );
  CREATE TABLE notes (
    -- AUTOINCREMENT: a removed note's number is never given to another (note done 5 must not find a new #5)
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    text TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    command_id INTEGER,
    service TEXT,
    file TEXT,
    line INTEGER,
    line_text TEXT,
    pinned INTEGER NOT NULL DEFAULT 0,
    done_at INTEGER
  );
  CREATE INDEX notes_by_session ON notes(session_id, id);
  -- what ended since a visit, without walking the session's whole trail
  CREATE INDEX commands_session_ended ON commands(session_id, ended_at);
  CREATE INDEX commands_terminal ON commands(terminal_id, started_at);
  `,
  // 8: what agents may do in a session (issue 12), set by the person only:
  // read (the default), notes, run.
  `
  CREATE TABLE session_policy (
    session_id TEXT PRIMARY KEY,
    level TEXT NOT NULL
  );
  `,
  // 9: the person's rules for agents' commands (allow, confirm, deny by
  // pattern), the approvals a confirm rule asks for, and the tokens agents
  // use over HTTP (only a hash is kept).
  `
  CREATE TABLE policy_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    action TEXT NOT NULL,
    pattern TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (session_id, pattern)
  );
  CREATE TABLE approvals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    command TEXT NOT NULL,
    terminal TEXT,
    reasons TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    decided_at INTEGER,
    decided_by TEXT,
    handle INTEGER
  );
  CREATE INDEX approvals_pending ON approvals(state, session_id);
  CREATE TABLE tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL UNIQUE,
    level TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
  );
  `,
  // 10: service output's trigram index (FTS5) gives way to a bitmap of each
  // chunk's three-character pieces (store/grams.ts): the index cost 34 ns per
  // byte a service wrote and held a flooding service to a tenth of pm2's
  // rate. The bitmaps live in a table of their own, with what a search
  // filters on, so that reading them never walks a chunk's text. Chunks
  // written before have no bitmap: a search opens them all.
  `
  DROP TRIGGER service_chunks_ai;
  DROP TRIGGER service_chunks_ad;
  DROP TRIGGER service_chunks_au;
  DROP TABLE service_chunks_fts;
  CREATE TABLE service_grams (
    chunk_id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    service TEXT NOT NULL,
    end_at INTEGER NOT NULL,
    grams BLOB NOT NULL
  );
  INSERT INTO service_grams (chunk_id, session_id, service, end_at, grams)
    SELECT id, session_id, service, end_at, x'' FROM service_chunks;
  CREATE TRIGGER service_chunks_grams_ad AFTER DELETE ON service_chunks BEGIN
    DELETE FROM service_grams WHERE chunk_id = old.id;
  END;
  `,
  // 11: both, by a chunk's size. Bitmaps are read whole by a search, one a
  // chunk: right for a flood's 256 KiB chunks, wrong for a quiet service's
  // (a line a flush, 86,400 chunks a day). A chunk under 64 KiB (indexed = 1,
  // decided by the writer) goes into the trigram index again, where its
  // cost is small since its service writes slowly; a larger one has a
  // bitmap instead (service_grams). A chunk keeps its kind for good: trim
  // and forget, which cut its text, keep its index or bitmap up to date.
  `
  ALTER TABLE service_chunks ADD COLUMN indexed INTEGER NOT NULL DEFAULT 0;
  UPDATE service_chunks SET indexed = 1 WHERE length(text) < 65536;
  DELETE FROM service_grams WHERE chunk_id IN (SELECT id FROM service_chunks WHERE indexed = 1);
  CREATE VIRTUAL TABLE service_chunks_fts USING fts5(
    text, content='service_chunks', content_rowid='id', tokenize='trigram', detail=none
  );
  INSERT INTO service_chunks_fts(rowid, text) SELECT id, text FROM service_chunks WHERE indexed = 1;
  CREATE TRIGGER service_chunks_ai AFTER INSERT ON service_chunks WHEN new.indexed = 1 BEGIN
    INSERT INTO service_chunks_fts(rowid, text) VALUES (new.id, new.text);
  END;
  CREATE TRIGGER service_chunks_ad AFTER DELETE ON service_chunks WHEN old.indexed = 1 BEGIN
    INSERT INTO service_chunks_fts(service_chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
  END;
  -- in this order: the old text's pieces out, then the new one's in (the other way, what both hold would go)
  CREATE TRIGGER service_chunks_au AFTER UPDATE OF text ON service_chunks BEGIN
    INSERT INTO service_chunks_fts(service_chunks_fts, rowid, text) SELECT 'delete', old.id, old.text WHERE old.indexed = 1;
    INSERT INTO service_chunks_fts(rowid, text) SELECT new.id, new.text WHERE new.indexed = 1;
  END;
  `,
  // 12: services' output moves to a file of its own, attached as `logs`
  // (store/db.ts): written by a thread of its own, with 64 KiB pages. What
  // the daemon's connection asks of these tables by name is the same. The
  // logs file's tables are made anew first, so that a move cut short (the
  // two files commit one after the other) is done again from the start.
  `
  DROP TABLE IF EXISTS logs.service_chunks_fts;
  DROP TABLE IF EXISTS logs.service_grams;
  DROP TABLE IF EXISTS logs.service_chunks;
  CREATE TABLE logs.service_chunks (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    service TEXT NOT NULL,
    stream TEXT NOT NULL,
    at INTEGER NOT NULL,
    end_at INTEGER NOT NULL,
    lines INTEGER NOT NULL,
    first INTEGER NOT NULL DEFAULT 0,
    text TEXT NOT NULL,
    raw TEXT,
    indexed INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX logs.service_chunks_by_service ON service_chunks(session_id, service, id);
  CREATE TABLE logs.service_grams (
    chunk_id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    service TEXT NOT NULL,
    end_at INTEGER NOT NULL,
    grams BLOB NOT NULL
  );
  CREATE VIRTUAL TABLE logs.service_chunks_fts USING fts5(
    text, content='service_chunks', content_rowid='id', tokenize='trigram', detail=none
  );
  CREATE TRIGGER logs.service_chunks_ai AFTER INSERT ON service_chunks WHEN new.indexed = 1 BEGIN
    INSERT INTO service_chunks_fts(rowid, text) VALUES (new.id, new.text);
  END;
  CREATE TRIGGER logs.service_chunks_ad AFTER DELETE ON service_chunks WHEN old.indexed = 1 BEGIN
    INSERT INTO service_chunks_fts(service_chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
  END;
  CREATE TRIGGER logs.service_chunks_au AFTER UPDATE OF text ON service_chunks BEGIN
    INSERT INTO service_chunks_fts(service_chunks_fts, rowid, text) SELECT 'delete', old.id, old.text WHERE old.indexed = 1;
    INSERT INTO service_chunks_fts(rowid, text) SELECT new.id, new.text WHERE new.indexed = 1;
  END;
  CREATE TRIGGER logs.service_chunks_grams_ad AFTER DELETE ON service_chunks BEGIN
    DELETE FROM service_grams WHERE chunk_id = old.id;
  END;
  INSERT INTO logs.service_chunks (id, session_id, service, stream, at, end_at, lines, first, text, raw, indexed)
    SELECT id, session_id, service, stream, at, end_at, lines, first, text, raw, indexed FROM main.service_chunks ORDER BY id;
  INSERT INTO logs.service_grams SELECT chunk_id, session_id, service, end_at, grams FROM main.service_grams;
  DROP TABLE main.service_chunks_fts;
  DROP TABLE main.service_grams;
  DROP TABLE main.service_chunks;
  `,
  // 13: a coloured line's colours as what it lacks of the line as written
  // (a few bytes a line: native/relay.c coloursOf) instead of the whole line
  // again, which doubled what coloured output wrote.
  `
  ALTER TABLE logs.service_chunks ADD COLUMN colours TEXT;
  `,
];
