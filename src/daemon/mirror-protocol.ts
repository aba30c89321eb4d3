// Messages between the daemon's main thread and the mirror thread.
export type MirrorQuery = 'serialize' | 'screenText' | 'markPromptEnd' | 'typedSincePromptEnd' | 'sync' | 'contentRows' | 'screenRows' | 'scrolls' | 'cursor' | 'allText';

export type ToWorker =
  | { op: 'create'; id: string; cols: number; rows: number; scrollback: number }
  | { op: 'write'; id: string; data: Uint8Array }
  | { op: 'resize'; id: string; cols: number; rows: number }
  | { op: 'query'; id: string; q: number; kind: MirrorQuery }
  | { op: 'dispose'; id: string };

export type FromWorker =
  | { op: 'ack'; id: string; bytes: number }
  | { op: 'answer'; q: number; value: unknown }
  | { op: 'error'; message: string };
