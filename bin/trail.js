#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm install`), as
// one bundled file when the build made it (faster start), else as modules.
import { existsSync } from 'node:fs';
const bundle = new URL('../dist/src/cli/main.bundle.mjs', import.meta.url);
const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (existsSync(bundle)) await import(bundle.href);
else if (existsSync(entry)) await import(entry.href);
else {
  process.stderr.write('trail: not built yet; run `npm install` (or `npm run build`) in the trail checkout\n');
  process.exit(1);
}
