// A scripted SMTP server for the relay's tests: says what it is told to say, keeps
// a transcript and the messages it accepted. Not used by production code.

import { createServer, type Server, type Socket } from 'node:net';

export interface FakeServerOptions {
  extensions?: string[];
  /** EHLO is answered 500 (an RFC 821 server): the client must fall back to HELO. */
  noEhlo?: boolean;
  greeting?: string;
  /** Reply to RCPT for this address, e.g. '550 5.1.1 no such user'. */
  rcptReplies?: Record<string, string>;
  mailReply?: string;
  /** Reply after the data. */
  dataReply?: string;
}

export interface ReceivedMessage {
  mailFrom: string;
  rcptTo: string[];
  /** The data as sent, dot-stuffing removed, without the final ".". */
  data: Buffer;
}

export class FakeSmtpServer {
  readonly server: Server;
  readonly transcript: string[] = [];
  readonly messages: ReceivedMessage[] = [];
  connections = 0;
  readonly options: FakeServerOptions;
  private readonly sockets = new Set<Socket>();

  private constructor(server: Server, options: FakeServerOptions) {
    this.server = server;
    this.options = options;
  }

  static async start(options: FakeServerOptions = {}, host = '127.0.0.1', port = 0): Promise<FakeSmtpServer> {
    const server = createServer();
    const fake = new FakeSmtpServer(server, options);
    server.on('connection', (socket) => fake.session(socket));
    await new Promise<void>((resolve) => server.listen(port, host, resolve));
    return fake;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  private session(socket: Socket): void {
    this.connections++;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    const o = this.options;
    const say = (text: string) => socket.write(text.endsWith('\r\n') ? text : text + '\r\n');
    say(o.greeting ?? '220 fake.test ESMTP');
    let buffer = Buffer.alloc(0);
    let inData = false;
    let data: Buffer[] = [];
    let current: ReceivedMessage | null = null;
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const lf = buffer.indexOf('\n');
        if (lf < 0) return;
        const raw = buffer.subarray(0, lf + 1);
        buffer = buffer.subarray(lf + 1);
        const line = raw.toString('latin1').replace(/\r?\n$/, '');
        if (inData) {
          if (line === '.') {
            inData = false;
            current!.data = Buffer.concat(data);
            this.messages.push(current!);
            say(o.dataReply ?? '250 2.0.0 queued');
          } else data.push(line.startsWith('.') ? raw.subarray(1) : raw);
          continue;
        }
        this.transcript.push(line);
        const verb = line.split(' ')[0]!.toUpperCase();
        if (verb === 'EHLO') {
          if (o.noEhlo) say('500 5.5.1 what?');
          else say(['fake.test', ...(o.extensions ?? ['PIPELINING', '8BITMIME', 'SIZE 1000000', 'DSN', 'SMTPUTF8'])].map((l, i, a) => `250${i === a.length - 1 ? ' ' : '-'}${l}`).join('\r\n'));
        } else if (verb === 'HELO') say('250 fake.test');
        else if (verb === 'MAIL') {
          const reply = o.mailReply ?? '250 2.1.0 ok';
          if (reply.startsWith('2')) current = { mailFrom: /<([^>]*)>/.exec(line)?.[1] ?? '', rcptTo: [], data: Buffer.alloc(0) };
          say(reply);
        } else if (verb === 'RCPT') {
          const address = /<([^>]*)>/.exec(line)?.[1] ?? '';
          const reply = !current ? '503 5.5.1 need MAIL' : (o.rcptReplies?.[address] ?? '250 2.1.5 ok');
          if (current && reply.startsWith('2')) current.rcptTo.push(address);
          say(reply);
        } else if (verb === 'DATA') {
          if (!current || current.rcptTo.length === 0) say('554 5.5.1 no valid recipients');
          else {
            inData = true;
            data = [];
            say('354 go ahead');
          }
        } else if (verb === 'RSET') {
          current = null;
          say('250 2.0.0 ok');
        } else if (verb === 'QUIT') {
          say('221 2.0.0 bye');
          socket.end();
        } else say('502 5.5.2 not implemented');
      }
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
