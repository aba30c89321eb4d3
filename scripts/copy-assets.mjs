// Copies files tsc does not emit (the shell integration scripts) into dist/.
import { cpSync } from 'node:fs';
const root = new URL('..', import.meta.url).pathname;
cpSync(root + 'src/shell/scripts', root + 'dist/src/shell/scripts', { recursive: true });
