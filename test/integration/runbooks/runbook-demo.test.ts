/** `meshbot demo --runbook`: the stale-endpoints runbook played end to end in the sandbox, the thread printed. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runDemo } from '../../../src/cli/commands/demo.js';

describe('meshbot demo --runbook', () => {
  it('plays stale-endpoints: confirmations, the restart, the verification, the notes', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'demo-runbook-'));
    let printed = '';
    try {
      const code = await runDemo({ out, runbook: true, stdout: { write: (t: string) => (printed += t) } });
      expect(code).toBe(0);
      expect(printed).toContain('alice types in #incidents: /mesh runbook stale-endpoints web-svc.emojivoto');
      expect(printed).toContain('alice clicks Confirm: Next: Restart the destination controller');
      expect(printed).toContain('Fixed: after the destination controller restarted');
      const notes = readFileSync(path.join(out, 'incident-notes.md'), 'utf8');
      expect(notes).toMatch(/^# Incident notes: Stale endpoints on web-svc\.emojivoto\n/);
      expect(notes).toContain('`restart deploy/linkerd-destination.linkerd`');
      expect(notes).toMatch(/## Verification\n\n- \S+ `endpoints web-svc\.emojivoto`: PASS/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
