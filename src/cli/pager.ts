// Long output goes through a pager when stdout is a terminal, as git does:
// $PAGER, else `less` with LESS=FRX (quit if it fits one screen, keep colours,
// leave the screen as it is); --no-pager, a pipe or PAGER=cat prints directly.
import { spawn } from 'node:child_process';

export async function paged(text: string, noPager: boolean): Promise<void> {
  const body = text.endsWith('\n') ? text : text + '\n';
  const rows = process.stdout.rows || 24;
  const pager = process.env.TRAIL_PAGER ?? process.env.PAGER ?? 'less';
  if (noPager || !process.stdout.isTTY || !pager || pager === 'cat' || body.split('\n').length - 1 < rows) {
    process.stdout.write(body);
    return;
  }
  const env = { ...process.env, LESS: process.env.LESS ?? 'FRX', LV: process.env.LV ?? '-c' };
  await new Promise<void>((resolve) => {
    const p = spawn(pager, { shell: true, stdio: ['pipe', 'inherit', 'inherit'], env });
    p.on('error', () => {
      process.stdout.write(body);
      resolve();
    });
    p.on('close', () => resolve());
    // The person may quit before reading it all.
    p.stdin.on('error', () => {});
    p.stdin.end(body);
  });
}
