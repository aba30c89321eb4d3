// The one table of operations. A transport looks names up here; adding an
// operation here makes it reachable from every transport.
import type { Operation } from './define.js';
import { sessionOps } from './sessions.js';
import { trailOps } from './trail.js';
import { serviceOps } from './services.js';
import { noteOps } from './notes.js';
import { briefOps } from './briefing.js';
import { contextOps } from './context-pack.js';
import { chapterOps } from './chapters.js';
import { forgetOps } from './forget.js';
import { agentOps } from './agents.js';

export const operations = new Map<string, Operation>(
  [...sessionOps, ...trailOps, ...serviceOps, ...noteOps, ...briefOps, ...contextOps, ...chapterOps, ...forgetOps, ...agentOps].map((op) => [op.name, op as unknown as Operation]),
);
