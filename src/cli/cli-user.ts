import { userInfo } from 'node:os';

/** Who asks from a terminal, as recorded on what meshbot changes: `cli:<user>`. */
export function cliUser(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}
