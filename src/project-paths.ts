import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project root: the nearest directory above this module that holds `proto/`.
 * Works from `src/` (tests, ts sources) and from the bundle's `dist/` and `dist/chunks/` (the built
 * CLI, the packed tarball and the image).
 */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'proto', 'destination.proto'))) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('meshbot installation is incomplete: proto/destination.proto not found');
    dir = parent;
  }
}

export const protoDir = (): string => join(projectRoot(), 'proto');
export const scenariosDir = (): string => join(projectRoot(), 'scenarios');
export const runbooksDir = (): string => join(projectRoot(), 'runbooks');
