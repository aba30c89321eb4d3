#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm install`), as
// one bundled CommonJS file when the build made it (Node starts that fastest:
// no ES module loader), else as ES modules.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const bundle = join(__dirname, '..', 'dist', 'src', 'cli', 'main.bundle.cjs');
const entry = join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
if (existsSync(bundle)) require(bundle);
else if (existsSync(entry)) import(pathToFileURL(entry).href);
else {
  process.stderr.write('trail: not built yet; run `npm install` (or `npm run build`) in the trail checkout\n');
  process.exit(1);
}
