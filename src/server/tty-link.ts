// The client's own terminal, opened by the daemon (as tmux's server does): the
// daemon reads keys from it and writes output to it, so the attach client is
// out of the byte path. One process hop instead of two halves the echo time
// and frees a core for the output stream. The client names its tty by pid and
// proves it by device and inode; anything that does not match (another mount
// or pid namespace, not a tty, another owner) is refused, and the client then
// relays the bytes itself over the socket.
//
// Two ways to work the terminal: the native relay (platform/relay.ts), which
// moves keys and output on its own thread, or a Node tty stream (TtyLink).
import { openSync, fstatSync, readlinkSync, statSync, closeSync, constants } from 'node:fs';
import tty from 'node:tty';
import { ownedByAnother } from '../platform/owner.js';
import { relayClient, type RelayClient } from '../platform/relay.js';
import type { AttachKeys } from '../api/key-filter.js';

export type TtyClaim = { pid: number; dev: number; ino: number };

/** How long leaving waits for output still queued to a stuck terminal. */
const FLUSH_MS = 2000;

/** The client's terminal as the connection uses it, whichever way it is worked. */
export interface ClientTty {
  /** Set when the native relay works the terminal. */
  readonly relay?: RelayClient;
  /** Keys typed (input returns true while it waits for more of one of trail's keys); gone() on hang-up. */
  listen(input: (b: Buffer) => boolean, gone: () => void): void;
  write(buf: Buffer): void;
  backlog(): number;
  onDrain(fn: () => void): void;
  /** Flushes what is queued (bounded), then lets go of the terminal. */
  close(): Promise<void>;
  destroy(): void;
}

/** Opens the terminal the client claims, or throws saying why it cannot. */
export function openClientTty(claim: TtyClaim, readOnly: boolean, keys: AttachKeys): ClientTty {
  const fd = openClaimed(claim);
  try {
    return RelayLink.create(fd, readOnly, keys) ?? TtyLink.create(fd);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

function openClaimed(claim: TtyClaim): number {
  if (process.platform !== 'linux') throw new Error('direct terminal access needs Linux /proc');
  const fd = openSync(`/proc/${claim.pid}/fd/0`, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!tty.isatty(fd) || !st.isCharacterDevice()) throw new Error('not a terminal');
    if (st.rdev !== claim.dev || st.ino !== claim.ino) throw new Error('not the terminal the client has');
    if (ownedByAnother(st)) throw new Error('terminal owned by another user');
    return fd;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/**
 * The terminal worked by the native relay's thread. Its events come through
 * the event loop, so listen() in the tick the link was opened hears them all.
 */
class RelayLink implements ClientTty {
  private input: (b: Buffer) => boolean = () => false;
  private onGone: () => void = () => {};
  private gone = false;

  private constructor(readonly relay: RelayClient) {}

  /** Null when this daemon has no native relay. */
  static create(fd: number, readOnly: boolean, keys: AttachKeys): RelayLink | null {
    let link: RelayLink | null = null;
    const relay = relayClient(fd, readOnly, keys, {
      keys: (b, seq) => link?.keys(b, seq),
      gone: () => link?.hungUp(),
    });
    return relay ? (link = new RelayLink(relay)) : null;
  }

  private hungUp(): void {
    if (this.gone) return;
    this.gone = true;
    this.onGone();
  }

  private keys(b: Buffer, seq: number): void {
    // Keys held back for one of trail's own go on to the shell only once it is decided.
    if (!this.input(b)) this.relay.release(seq);
  }

  listen(input: (b: Buffer) => boolean, gone: () => void): void {
    this.input = input;
    this.onGone = gone;
  }

  write(buf: Buffer): void {
    this.relay.write(buf);
  }

  /** The relay keeps this client's backlog and stops its PTY itself while it is 2 MiB behind. */
  backlog(): number {
    return 0;
  }

  onDrain(fn: () => void): void {
    fn();
  }

  close(): Promise<void> {
    this.gone = true;
    return this.relay.remove(FLUSH_MS);
  }

  destroy(): void {
    this.gone = true;
    void this.relay.remove(0);
  }
}

/** The terminal worked through a Node tty stream, when there is no native relay. */
export class TtyLink implements ClientTty {
  private stream: tty.ReadStream;
  private gone = false;

  private constructor(fd: number) {
    this.stream = new tty.ReadStream(fd);
    // tty streams made by Node block on write; a daemon must never wait on one
    // client's slow terminal.
    (this.stream as unknown as { _handle?: { setBlocking?: (b: boolean) => void } })._handle?.setBlocking?.(false);
    // An error (EIO once the terminal hangs up) is followed by 'close'.
    this.stream.on('error', () => {});
  }

  static create(fd: number): TtyLink {
    // libuv reopens a tty by its name to make it non-blocking; where the name
    // does not lead back to this device it would fall back to blocking writes.
    const name = readlinkSync(`/proc/self/fd/${fd}`);
    if (statSync(name).rdev !== fstatSync(fd).rdev) throw new Error(`${name} is another device here`);
    return new TtyLink(fd);
  }

  /** Keys typed; gone() when the terminal hangs up. */
  listen(input: (b: Buffer) => boolean, gone: () => void): void {
    this.stream.on('data', input);
    this.stream.on('close', () => {
      if (this.gone) return; // closed by us
      this.gone = true;
      gone();
    });
  }

  write(buf: Buffer): void {
    if (!this.gone) this.stream.write(buf);
  }

  backlog(): number {
    return this.gone ? 0 : this.stream.writableLength;
  }

  onDrain(fn: () => void): void {
    if (this.gone || this.stream.writableLength === 0) fn();
    else this.stream.once('drain', fn);
  }

  /** Flushes what is queued (bounded), then closes the daemon's handle on the terminal. */
  close(): Promise<void> {
    // Take no more keys: what is typed next stays for whoever reads the terminal after us.
    this.stream.pause();
    return new Promise((resolve) => {
      if (this.gone) return resolve();
      const done = () => {
        if (!this.gone) {
          this.gone = true;
          this.stream.destroy();
        }
        resolve();
      };
      const t = setTimeout(done, FLUSH_MS);
      this.onDrain(() => {
        clearTimeout(t);
        done();
      });
    });
  }

  destroy(): void {
    if (this.gone) return;
    this.gone = true;
    this.stream.destroy();
  }
}
