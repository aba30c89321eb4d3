// Where the daemon keeps its state. TRAIL_HOME wins; otherwise the XDG state dir.
import { homedir } from 'node:os';
import { join } from 'node:path';

export type Paths = { home: string; socket: string; db: string; log: string; lock: string; config: string; runDirNote: string };

export function trailPaths(env: NodeJS.ProcessEnv = process.env): Paths {
  const home =
    env.TRAIL_HOME ||
    join(env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state'), 'trail');
  return {
    home,
    socket: join(home, 'daemon.sock'),
    db: join(home, 'trail.db'),
    log: join(home, 'daemon.log'),
    lock: join(home, 'daemon.lock'),
    config: join(home, 'config.yaml'),
    runDirNote: join(home, 'run-dir'),
  };
}
