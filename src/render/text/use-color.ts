/**
 * Whether text output may carry ANSI colours: only to a terminal, never when NO_COLOR is set
 * (https://no-color.org: any non-empty value), and always when FORCE_COLOR is set to 1-3.
 */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  return stream.isTTY === true;
}

export type Paint = (text: string) => string;

const ansi =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;

export interface Palette {
  green: Paint;
  yellow: Paint;
  red: Paint;
  magenta: Paint;
  bold: Paint;
  dim: Paint;
}

const plain: Paint = (t) => t;

export function palette(color: boolean): Palette {
  if (!color) return { green: plain, yellow: plain, red: plain, magenta: plain, bold: plain, dim: plain };
  return {
    green: ansi(32, 39),
    yellow: ansi(33, 39),
    red: ansi(31, 39),
    magenta: ansi(35, 39),
    bold: ansi(1, 22),
    dim: ansi(2, 22),
  };
}

/** The colour of a status, finding severity or check mark: pass green, warn yellow, fail red, error magenta, else dim. */
export function statusPaint(
  p: Palette,
  status: 'pass' | 'warn' | 'fail' | 'error' | 'info' | 'skipped',
): Paint {
  switch (status) {
    case 'pass':
      return p.green;
    case 'warn':
      return p.yellow;
    case 'fail':
      return p.red;
    case 'error':
      return p.magenta;
    default:
      return p.dim;
  }
}
