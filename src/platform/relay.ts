// The native byte relay (native/relay.c): a thread that moves keys and output
// between attached clients' terminals and the PTYs without V8 in the way, so
// the echo does not wait on JavaScript's compiler or collector. This module
// loads it and hands out typed handles; without it (not built, another OS,
// TRAIL_RELAY=js) the daemon moves every byte in JavaScript, as before.
import { createRequire } from 'node:module';
import { signalName } from './proc.js';

type Native = {
  closeOnExec(fd: number): void;
  pipe?(bytes: number): [number, number];
  spawn?(file: string, argv: string[], env: string[], cwd: string, stdio: number[], newSession: boolean): number;
  canSpawn?(): boolean;
  peerPid(fd: number): number;
  grams?(text: string): Buffer;
  findHints?(text: string, literals: string): Int32Array;
  scanOutput?(text: string, literals: string): [Buffer, Int32Array, boolean];
  scanBytes?(bytes: Uint8Array, literals: string): [Buffer, Int32Array, number, number];
  shownBytes?(bytes: Uint8Array, literals: string): [Buffer, Buffer, number, Int32Array, boolean] | null;
  coloursOf?(written: Uint8Array, text: Uint8Array): Buffer | null;
  start(onEvent: (kind: number, id: number, seq: number, buf?: Buffer) => void): void;
  ptyAdd(fd: number): number;
  ptyRemove(id: number): void;
  ptyWrite(id: number, buf: Buffer): void;
  ptyPause(id: number, paused: boolean): void;
  ptyUrgent(id: number, urgent: boolean): void;
  ptyHanded(id: number, seq: number): boolean;
  clientAdd(fd: number, readOnly: boolean, detach: number, prefix: number): number;
  clientBind(id: number, pty: number): void;
  clientGoLive(id: number, seq: number): boolean;
  clientWrite(id: number, buf: Buffer): void;
  clientWriteIf(id: number, buf: Buffer, seq: number): boolean;
  clientRelease(id: number, seq: number): void;
  clientRemove(id: number, flushMs: number): void;
};

const EV_OUTPUT = 1;
const EV_EOF = 2;
const EV_INPUT = 3;
const EV_GONE = 4;
const EV_CLOSED = 5;
const EV_EXIT = 6;

export type PtyEvents = {
  /** A chunk the PTY wrote; seq counts chunks, and clientGoLive compares against it. */
  output(buf: Buffer, seq: number): void;
  /** The PTY's last slave closed; the relay has let go of its fd. */
  end(): void;
};

export type ClientEvents = {
  /** Keys the relay did not send on: they may hold trail's own keys. Release them when handled. */
  keys(buf: Buffer, seq: number): void;
  /** The terminal hung up. */
  gone(): void;
};

export class RelayPty {
  constructor(
    private n: Native,
    readonly id: number,
  ) {}
  write(buf: Buffer): void {
    this.n.ptyWrite(this.id, buf);
  }
  pause(paused: boolean): void {
    this.n.ptyPause(this.id, paused);
  }
  /**
   * Urgent while a client of this PTY is fed from JavaScript: its output is
   * then handed over chunk by chunk. Otherwise the relay gathers it for up to
   * 50 ms (marks at once), since only the mirror and the recorder read it.
   */
  urgent(urgent: boolean): void {
    this.n.ptyUrgent(this.id, urgent);
  }
  /** Whether JavaScript has been handed every chunk read so far, its last being seq (nothing gathered, nothing newer on its way). */
  handed(seq: number): boolean {
    return this.n.ptyHanded(this.id, seq);
  }
  remove(): void {
    ptys.delete(this.id);
    this.n.ptyRemove(this.id);
  }
}

export class RelayClient {
  private closing: Promise<void> | null = null;
  constructor(
    private n: Native,
    readonly id: number,
  ) {}
  /** Keys go to this PTY (null: all keys to JavaScript); its output is fed by write() until goLive. */
  bind(pty: RelayPty | null): void {
    this.n.clientBind(this.id, pty?.id ?? 0);
  }
  /** The relay writes the bound PTY's output itself from now on, if this client has had every chunk up to seq. */
  goLive(seq: number): boolean {
    return this.n.clientGoLive(this.id, seq);
  }
  write(buf: Buffer): void {
    this.n.clientWrite(this.id, buf);
  }
  /** Writes only if JavaScript has had every chunk of the bound PTY up to seq (else false: newer output is on its way). */
  writeIf(buf: Buffer, seq: number): boolean {
    return this.n.clientWriteIf(this.id, buf, seq);
  }
  release(seq: number): void {
    this.n.clientRelease(this.id, seq);
  }
  /** No more keys; queued output is flushed (at most flushMs), then the terminal is closed. */
  remove(flushMs: number): Promise<void> {
    if (!this.closing) {
      const entry = clients.get(this.id);
      this.closing = new Promise((resolve) => (entry ? (entry.closed = resolve) : resolve()));
      this.n.clientRemove(this.id, flushMs);
    }
    return this.closing;
  }
}

const ptys = new Map<number, PtyEvents>();
/** closed: set by remove(), called when the relay has let go of the terminal. */
const clients = new Map<number, ClientEvents & { closed?: () => void }>();
/** Programs started by spawnWatched, by pid: told how they ended. */
const exits = new Map<number, (status: number) => void>();
let loaded: { native: Native | null; why: string } | null = null;
let relaying = false;

function dispatch(kind: number, id: number, seq: number, buf?: Buffer): void {
  try {
    if (kind === EV_OUTPUT) ptys.get(id)?.output(buf!, seq);
    else if (kind === EV_EOF) ptys.get(id)?.end();
    else if (kind === EV_INPUT) clients.get(id)?.keys(buf!, seq);
    else if (kind === EV_GONE) clients.get(id)?.gone();
    else if (kind === EV_EXIT) {
      const told = exits.get(id);
      exits.delete(id);
      told?.(seq);
    } else if (kind === EV_CLOSED) {
      clients.get(id)?.closed?.();
      clients.delete(id);
    }
  } catch (e) {
    // An exception here would surface inside the native queue's callback.
    process.emitWarning(`relay event ${kind} for ${id}: ${(e as Error).stack ?? e}`);
  }
}

function load(): { native: Native | null; why: string } {
  if (loaded) return loaded;
  if (process.platform !== 'linux') return (loaded = { native: null, why: `not built for ${process.platform}` });
  try {
    const url = new URL('../../native/relay.node', import.meta.url);
    loaded = { native: createRequire(import.meta.url)(url.pathname) as Native, why: 'native' };
  } catch (e) {
    return (loaded = { native: null, why: `native relay not loaded: ${(e as Error).message.split('\n')[0]}` });
  }
  if (process.env.TRAIL_RELAY === 'js') loaded.why = 'TRAIL_RELAY=js';
  return loaded;
}

/** The relay, started on first use; null where bytes move in JavaScript. */
function relay(): Native | null {
  const { native, why } = load();
  if (!native || why !== 'native') return null;
  if (!relaying) {
    native.start(dispatch);
    relaying = true;
  }
  return native;
}

/** Keeps an fd from being inherited by the programs the daemon starts, where the native module is built. */
export function closeOnExec(fd: number): boolean {
  const n = load().native;
  if (!n) return false;
  n.closeOnExec(fd);
  return true;
}

/** The pid of the process at the other end of a unix socket's fd (null: unknown, or the native module is not built). */
export function peerPid(fd: number): number | null {
  const n = load().native;
  if (!n || typeof n.peerPid !== 'function') return null;
  const pid = n.peerPid(fd);
  return pid > 0 ? pid : null;
}

/** The native maker of a chunk's bitmap (store/grams.ts), or null where the module is not built. */
export function nativeGrams(): ((text: string) => Buffer) | null {
  const n = load().native;
  return n && typeof n.grams === 'function' ? n.grams.bind(n) : null;
}

/** The native finder of secret patterns' hints (common/redact.ts), or null where the module is not built. */
export function nativeHints(): ((text: string, literals: string) => Int32Array) | null {
  const n = load().native;
  return n && typeof n.findHints === 'function' ? n.findHints.bind(n) : null;
}

/** The native look at service output to be stored (grams, hints and control characters in one pass), or null. */
export function nativeScan(): ((text: string, literals: string) => [Buffer, Int32Array, boolean]) | null {
  const n = load().native;
  return n && typeof n.scanOutput === 'function' ? n.scanOutput.bind(n) : null;
}

/** The same look at output as it came from a pipe (UTF-8 bytes), with no copy: [grams, hints, kinds, newlines] (see native/relay.c scanBytes), or null. */
export function nativeScanBytes(): ((bytes: Uint8Array, literals: string) => [Buffer, Int32Array, number, number]) | null {
  const n = load().native;
  return n && typeof n.scanBytes === 'function' ? n.scanBytes.bind(n) : null;
}

/** native/relay.c shownBytes: output with colours or UTF-8 as a person saw it, with its bitmap, or null (see there) when the caller must make it. */
export function nativeShownBytes(): {
  shown: (bytes: Uint8Array, literals: string) => [Buffer, Buffer, number, Int32Array, boolean] | null;
  colours: (written: Uint8Array, text: Uint8Array) => Buffer | null;
} | null {
  const n = load().native;
  return n && n.shownBytes && n.coloursOf ? { shown: n.shownBytes.bind(n), colours: n.coloursOf.bind(n) } : null;
}

/** A pipe asked to hold `bytes` ([read end, write end], both close-on-exec), or null where the native module is not built. */
export function bigPipe(bytes: number): [number, number] | null {
  const n = load().native;
  return n && typeof n.pipe === 'function' ? n.pipe(bytes) : null;
}

let spawnWorks: boolean | null = null;

/**
 * Starts a program with posix_spawn (see native/relay.c spawn: no copy of the
 * daemon's page tables, as libuv's fork makes), watched and reaped by the
 * relay's thread. stdio: fds for the program's 0, 1 and 2 (-1: /dev/null).
 * Returns its pid, or null where there is no relay (the caller then uses
 * child_process); throws when it cannot be started (its message says why).
 */
export function spawnWatched(
  file: string,
  args: string[],
  o: { cwd: string; env: Record<string, string | undefined>; stdio: [number, number, number]; newSession: boolean },
  onExit: (code: number | null, signal: NodeJS.Signals | null) => void,
): number | null {
  const n = relay();
  if (!n || typeof n.spawn !== 'function' || !(spawnWorks ??= n.canSpawn!())) return null;
  const env = Object.entries(o.env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
  const pid = n.spawn(file, [file, ...args], env, o.cwd, o.stdio, o.newSession);
  exits.set(pid, (status) => (status < 256 ? onExit(status, null) : onExit(null, signalName(status - 256))));
  return pid;
}

/** How bytes move in this daemon: "native", or why not. */
export function relayMode(): string {
  return load().why;
}

export function relayPty(fd: number, events: PtyEvents): RelayPty | null {
  const n = relay();
  if (!n) return null;
  const id = n.ptyAdd(fd);
  ptys.set(id, events);
  return new RelayPty(n, id);
}

/** Hands the fd to the relay, which owns (and closes) it from now on; null when there is no relay. */
export function relayClient(fd: number, readOnly: boolean, keys: { detach: number; prefix: number }, events: ClientEvents): RelayClient | null {
  const n = relay();
  if (!n) return null;
  const id = n.clientAdd(fd, readOnly, keys.detach, keys.prefix);
  clients.set(id, { ...events });
  return new RelayClient(n, id);
}
