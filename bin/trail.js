#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm install`).
import { existsSync } from 'node:fs';
const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('trail: not built yet; run `npm install` (or `npm run build`) in the trail checkout\n');
  process.exit(1);
}
await import(entry.href);
