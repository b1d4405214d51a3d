/**
 * Starts run-log-level-child.ts (a raised proxy log level in a process of its own) and resolves
 * once every pod is set, with its record, so a test can SIGKILL it mid-way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LogLevelRecord } from '../../../../src/steps/proxy-log-level/log-level-record.js';

const here = dirname(fileURLToPath(import.meta.url));

export async function startRaisedChild(
  kubeconfig: string,
  target: string,
  level: string,
): Promise<{ child: ChildProcess; record: LogLevelRecord; exited: Promise<NodeJS.Signals | null> }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      join(here, '../../scale-test/child/register-ts-loader.mjs'),
      join(here, 'run-log-level-child.ts'),
      kubeconfig,
      target,
      level,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_c, signal) => resolve(signal)),
  );
  try {
    const record = await new Promise<LogLevelRecord>((resolve, reject) => {
      const guard = setTimeout(
        () => reject(new Error(`the child never raised the level; stderr: ${stderr}`)),
        60_000,
      );
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const e = JSON.parse(line) as { type: string; record?: LogLevelRecord };
        if (e.type === 'raised' && e.record) {
          clearTimeout(guard);
          resolve(e.record);
        }
      });
      void exited.then(() => {
        clearTimeout(guard);
        reject(new Error(`the child exited early; stderr: ${stderr}`));
      });
    });
    return { child, record, exited };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}
