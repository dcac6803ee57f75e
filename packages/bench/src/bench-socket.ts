// The load generator's WebSocket client: the RFC 6455 handshake and framing over a plain TCP
// socket. A thousand clients in one process read tens of thousands of frames a second; a full
// client library runs each frame through a stream of its own, which made the generator one of the
// largest consumers of the machine it measures. This one reads frames straight off the socket's
// chunks. Clients of the product use any WebSocket library; nothing here is part of the product.
import { createHash, randomBytes } from 'node:crypto';
import { type Socket, connect } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const Op = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

/** A client frame (masked, as RFC 6455 requires of clients). */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const extra = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const frame = Buffer.allocUnsafe(6 + extra + length);
  frame[0] = 0x80 | opcode;
  if (extra === 0) frame[1] = 0x80 | length;
  else if (extra === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const maskAt = 2 + extra;
  randomBytes(4).copy(frame, maskAt);
  for (let i = 0; i < length; i++) frame[maskAt + 4 + i] = payload[i]! ^ frame[maskAt + (i & 3)]!;
  return frame;
}

export class BenchSocket {
  open = true;
  onClose: (code: number) => void = () => {};
  private pending: Buffer | undefined;
  private fragments: Buffer[] = [];

  private constructor(
    private readonly socket: Socket,
    /** Every text or binary message after the handshake (given up front: one may come with the handshake's answer). */
    public onMessage: (data: Buffer, socket: BenchSocket) => void,
  ) {}

  /** Opens `ws://host:port/path` with the given request headers; resolves once the server switched protocols. */
  static connect(url: string, headers: Record<string, string>, onMessage: (data: Buffer, socket: BenchSocket) => void): Promise<BenchSocket> {
    const { hostname, port, pathname } = new URL(url);
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1')
      .update(key + GUID)
      .digest('base64');
    return new Promise((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port), noDelay: true });
      const lines = [
        `GET ${pathname} HTTP/1.1`,
        `Host: ${hostname}:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${key}`,
        'Sec-WebSocket-Version: 13',
      ];
      for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      let head = Buffer.alloc(0);
      const onHandshake = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onHandshake);
        socket.off('error', reject);
        const response = head.toString('latin1', 0, end);
        const accepted = response.split('\r\n').some((line) => /^sec-websocket-accept:/i.test(line) && line.slice(line.indexOf(':') + 1).trim() === accept);
        if (!response.startsWith('HTTP/1.1 101') || !accepted) {
          socket.destroy();
          reject(new Error(`upgrade refused: ${response.split('\r\n')[0]}`));
          return;
        }
        const ws = new BenchSocket(socket, onMessage);
        socket.on('data', (c: Buffer) => ws.read(c));
        socket.on('close', () => ws.closed(1006));
        socket.on('error', () => socket.destroy());
        resolve(ws);
        if (head.length > end + 4) ws.read(head.subarray(end + 4));
      };
      socket.on('data', onHandshake);
      socket.once('error', reject);
    });
  }

  send(text: string): void {
    if (this.open) this.socket.write(clientFrame(Op.text, Buffer.from(text)));
  }

  close(code = 1000): void {
    if (!this.open) return;
    const payload = Buffer.allocUnsafe(2);
    payload.writeUInt16BE(code);
    this.socket.end(clientFrame(Op.close, payload));
    this.closed(code, false);
  }

  private closed(code: number, notify = true): void {
    if (!this.open) return;
    this.open = false;
    if (notify) this.onClose(code);
  }

  /** Takes whole frames off the chunk (and what was left of the previous one). */
  private read(chunk: Buffer): void {
    let data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let at = 0;
    for (;;) {
      if (data.length - at < 2) break;
      const first = data[at]!;
      const second = data[at + 1]!;
      let length = second & 0x7f;
      let offset = at + 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = data.readUInt16BE(at + 2);
        offset += 2;
      } else if (length === 127) {
        if (data.length - at < 10) break;
        length = Number(data.readBigUInt64BE(at + 2));
        offset += 8;
      }
      const masked = (second & 0x80) !== 0;
      if (masked) offset += 4;
      if (data.length < offset + length) break;
      const payload = data.subarray(offset, offset + length);
      if (masked) for (let i = 0; i < length; i++) payload[i]! ^= data[offset - 4 + (i & 3)]!;
      at = offset + length;
      this.frame(first & 0x0f, (first & 0x80) !== 0, payload);
      if (!this.open) return;
    }
    if (at < data.length) this.pending = Buffer.from(data.subarray(at));
  }

  private frame(opcode: number, fin: boolean, payload: Buffer): void {
    switch (opcode) {
      case Op.text:
      case Op.binary:
      case Op.continuation:
        if (!fin) {
          this.fragments.push(Buffer.from(payload));
        } else if (this.fragments.length > 0) {
          this.fragments.push(payload);
          const whole = Buffer.concat(this.fragments);
          this.fragments = [];
          this.onMessage(whole, this);
        } else {
          this.onMessage(payload, this);
        }
        break;
      case Op.ping:
        this.socket.write(clientFrame(Op.pong, Buffer.from(payload)));
        break;
      case Op.close: {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this.socket.end(clientFrame(Op.close, Buffer.from(payload.subarray(0, 2))));
        this.closed(code);
        break;
      }
    }
  }
}
