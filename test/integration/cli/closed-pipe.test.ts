/**
 * Regression: `meshbot tap --help | head -3` crashed with an unhandled EPIPE and a stack trace
 * when the reader closed the pipe before meshbot wrote. The CLI (src/cli.ts, run as a process)
 * now stops quietly with its exit code.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '../../..');
const LOADER = join(here, '../scale-test/child/register-ts-loader.mjs');

it('stops quietly, exit 0, when the reader of its output has gone (EPIPE)', async () => {
  const child = spawn(process.execPath, ['--import', LOADER, join(ROOT, 'src/cli.ts'), 'tap', '--help'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The reader goes away before meshbot has written anything (it takes far longer to start).
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
}, 60_000);
