// The client's own terminal, opened by the daemon (as tmux's server does): the
// daemon reads keys from it and writes output to it, so the attach client is
// out of the byte path. One process hop instead of two halves the echo time
// and frees a core for the output stream. The client names its tty by pid and
// proves it by device and inode; anything that does not match (another mount
// or pid namespace, not a tty, another owner) is refused, and the client then
// relays the bytes itself over the socket.
import { openSync, fstatSync, readlinkSync, statSync, closeSync, constants } from 'node:fs';
import tty from 'node:tty';
import { ownedByAnother } from '../platform/owner.js';

export type TtyClaim = { pid: number; dev: number; ino: number };

/** How long leaving waits for output still queued to a stuck terminal. */
const FLUSH_MS = 2000;

export class TtyLink {
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

  /** Opens the terminal the client claims, or throws saying why it cannot. */
  static open(claim: TtyClaim): TtyLink {
    if (process.platform !== 'linux') throw new Error('direct terminal access needs Linux /proc');
    const fd = openSync(`/proc/${claim.pid}/fd/0`, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    try {
      const st = fstatSync(fd);
      if (!tty.isatty(fd) || !st.isCharacterDevice()) throw new Error('not a terminal');
      if (st.rdev !== claim.dev || st.ino !== claim.ino) throw new Error('not the terminal the client has');
      if (ownedByAnother(st)) throw new Error('terminal owned by another user');
      // libuv reopens a tty by its name to make it non-blocking; where the name
      // does not lead back to this device it would fall back to blocking writes.
      const name = readlinkSync(`/proc/self/fd/${fd}`);
      if (statSync(name).rdev !== st.rdev) throw new Error(`${name} is another device here`);
      return new TtyLink(fd);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** Keys typed; gone() when the terminal hangs up. */
  listen(input: (b: Buffer) => void, gone: () => void): void {
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
