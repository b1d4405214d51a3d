/** The CLI handler refuses bad input with exit 2 and a message that names the rule, never a stack. */
import { runCli } from './endpoints-sandbox.js';

describe('meshbot endpoints: bad input', () => {
  it.each([
    ['web..ns', /DNS-1123 label/],
    ['Web.NS', /DNS-1035 label/],
    ['web.NS', /DNS-1123 label/],
    ['svc.ns:99999', /port 99999 is out of range/],
    ['web;rm -rf /.ns', /";"/],
    ['web$(reboot).ns', /"\$"/],
    ['`id`.ns', /"`"/],
    [`${'a'.repeat(290)}.emojivoto`, /300 characters long.*at most 253/],
    ['web-svc', /SERVICE\.NAMESPACE/],
  ])('%#: bad target -> exit 2', async (input, rule) => {
    const run = await runCli(input, { kubeconfig: '/nonexistent', output: 'json' });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^Error: /);
    expect(run.stderr).toMatch(rule);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr.length).toBeLessThan(600);
  });

  it.each([
    [{ output: 'yaml' }, /output format "yaml"/],
    [{ timeout: 'forever' }, /not a duration/],
    [{ destination: 'localhost' }, /not HOST:PORT/],
    [{ contextToken: 'nope' }, /not JSON/],
  ])('bad flags %p -> exit 2', async (flags, rule) => {
    const run = await runCli('web-svc.emojivoto', { kubeconfig: '/nonexistent', ...flags });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(rule);
  });

  it('a missing kubeconfig is a configuration error (exit 2) that names the file', async () => {
    const run = await runCli('web-svc.emojivoto', { kubeconfig: '/nonexistent/kubeconfig' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/\/nonexistent\/kubeconfig does not exist/);
  });
});
