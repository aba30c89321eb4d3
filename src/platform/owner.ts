// Whose a file is. The daemon only ever uses its own user's state dir,
// terminals and scratch dirs; where there are no uids (Windows) all are ours.
const uid = typeof process.getuid === 'function' ? process.getuid() : null;

/** The current user's uid, or 'u' where there is none: for names of per-user files. */
export const userTag = uid === null ? 'u' : String(uid);

export function ownedByAnother(st: { uid: number }): boolean {
  return uid !== null && st.uid !== uid;
}
