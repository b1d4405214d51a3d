import bolt from '@slack/bolt';
import { signedHeaders, slackSignature } from '../../../../src/sandbox/slack/sign-slack-request.js';

const { verifySlackRequest } = bolt;
const secret = '8f742231b10e8888abcd99yyyzzz85a5';

describe("the double's request signing, checked by Bolt's verifier", () => {
  const body = 'command=%2Fmesh&text=endpoints+web-svc.emojivoto';

  it("matches Slack's documented example", () => {
    // https://docs.slack.dev/authentication/verifying-requests-from-slack
    const example =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(slackSignature(secret, 1531420618, example)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });

  it('is accepted when fresh and correct', () => {
    const now = Math.floor(Date.now() / 1000);
    const h = signedHeaders(secret, body, now);
    expect(() =>
      verifySlackRequest({
        signingSecret: secret,
        body,
        headers: { 'x-slack-signature': h['x-slack-signature'], 'x-slack-request-timestamp': now },
      }),
    ).not.toThrow();
  });

  it('is rejected when forged, tampered with or expired', () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = signedHeaders('another-secret', body, now);
    expect(() =>
      verifySlackRequest({
        signingSecret: secret,
        body,
        headers: { 'x-slack-signature': forged['x-slack-signature'], 'x-slack-request-timestamp': now },
      }),
    ).toThrow();
    const good = signedHeaders(secret, body, now);
    expect(() =>
      verifySlackRequest({
        signingSecret: secret,
        body: `${body}&x=1`,
        headers: { 'x-slack-signature': good['x-slack-signature'], 'x-slack-request-timestamp': now },
      }),
    ).toThrow();
    const old = now - 301;
    const expired = signedHeaders(secret, body, old);
    expect(() =>
      verifySlackRequest({
        signingSecret: secret,
        body,
        headers: { 'x-slack-signature': expired['x-slack-signature'], 'x-slack-request-timestamp': old },
      }),
    ).toThrow(/stale|old|timestamp/i);
  });
});
