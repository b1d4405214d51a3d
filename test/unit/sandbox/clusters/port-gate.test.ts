/**
 * The TCP gate in front of a sandbox cluster's servers: pipes while open; shut, it refuses new
 * connections and ends the ones it carried; opened again, it listens on the same port.
 */
import net from 'node:net';
import { openPortGate, type PortGate } from '../../../../src/sandbox/clusters/port-gate.js';

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

function echoOnce(socket: net.Socket, text: string): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (d: Buffer) => resolve(d.toString('utf8')));
    socket.write(text);
  });
}

describe('openPortGate', () => {
  let echo: net.Server;
  let gate: PortGate;
  beforeAll(async () => {
    echo = net.createServer((s) => {
      s.on('error', () => s.destroy());
      s.pipe(s);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    gate = await openPortGate({ target: (echo.address() as net.AddressInfo).port });
  });
  afterAll(async () => {
    await gate.close();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  it('pipes, refuses when shut (ending carried connections), and listens again on the same port', async () => {
    const port = gate.port;
    const socket = await connect(port);
    expect(await echoOnce(socket, 'hello')).toBe('hello');
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));

    await gate.shut();
    expect(gate.isOpen()).toBe(false);
    await closed;
    await expect(connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    await gate.open();
    expect(gate.isOpen()).toBe(true);
    expect(gate.port).toBe(port);
    const again = await connect(port);
    expect(await echoOnce(again, 'back')).toBe('back');
    again.destroy();
  });

  it('shut silent, accepts connections and never answers them; opened, pipes again', async () => {
    const carried = await connect(gate.port);
    const ended = new Promise<void>((resolve) => carried.once('close', () => resolve()));
    await gate.shut('silent');
    expect(gate.isOpen()).toBe(false);
    await ended;
    const held = await connect(gate.port);
    let answered = false;
    held.on('data', () => (answered = true));
    const heldEnded = new Promise<void>((resolve) => held.once('close', () => resolve()));
    // Written and drained into the gate; the echo never sees it.
    await new Promise<void>((resolve) => held.write('anyone?', () => resolve()));
    // From silent to refusing, and back to silent, on the same port.
    await gate.shut('refuse');
    await heldEnded;
    await expect(connect(gate.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await gate.shut('silent');
    (await connect(gate.port)).destroy();
    await gate.open();
    expect(answered).toBe(false);
    const socket = await connect(gate.port);
    expect(await echoOnce(socket, 'back')).toBe('back');
    socket.destroy();
  });

  it('shut and open twice are harmless', async () => {
    await gate.shut();
    await gate.shut();
    await gate.open();
    await gate.open();
    const socket = await connect(gate.port);
    expect(await echoOnce(socket, 'x')).toBe('x');
    socket.destroy();
  });
});
