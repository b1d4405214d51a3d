import { Writable } from 'node:stream';
import { createLogger, redactText } from '../../../src/logging/create-logger.js';

describe('log redaction', () => {
  it('never writes a token, by field or inside text', () => {
    let out = '';
    const sink = new Writable({
      write(chunk, _enc, cb) {
        out += String(chunk);
        cb();
      },
    });
    const logger = createLogger({ level: 'info', destination: sink as never });
    logger.info(
      { slack: { botToken: 'xoxb-1-secret', appToken: 'xapp-1-secret' }, token: 'xoxb-2-secret' },
      'start',
    );
    logger.info('calling with xoxb-3-secret and xapp-4-secret');
    expect(out).not.toMatch(/secret/);
    expect(out).toContain('[redacted]');
    expect(redactText('Bearer xoxp-9-abc')).toBe('Bearer [redacted]');
  });
});
