// One console session over a ByteChannel: a shell (with a pty: the line editor, echo,
// history, CRLF output; without: plain lines, no echo, no prompt) or one exec command.
// Its state is a union: editing a line, running a command, closed. Terminal notices
// (SMTP SEND, RFC 821 §3.5, through the TerminalRegistry) are shown above the line
// being typed without losing it.

import type { TerminalAttachment, TerminalNotice } from '../core/bus/terminals.ts';
import type { ByteChannel, ChannelPeer, TerminalSize } from '../core/service/byte-channel.ts';
import type { ConsoleDeps, ConsoleIO } from './commands/command.ts';
import { COMMANDS } from './commands/index.ts';
import { dispatch } from './dispatch.ts';
import { History } from './history.ts';
import { ChannelInput, readPlainLine } from './input.ts';
import { LineEditor, type EditorEvent } from './line-editor.ts';
import { ConsoleError, EXIT_FAILURE, EXIT_OK, replies } from './replies.ts';
import { forTerminal, printable, writeText } from './wire.ts';

export interface ShellTerminal {
  size: TerminalSize;
  onResize(listener: (size: TerminalSize) => void): void;
}

/** Output waiting for the client beyond which a terminal notice is dropped (octets). */
const NOTICE_BACKLOG = 1024 * 1024;

type SessionState =
  | { name: 'line-editing'; editor: LineEditor | null }
  | { name: 'running'; command: string }
  | { name: 'closed'; status: number };

export class ConsoleSession {
  private readonly deps: ConsoleDeps;
  private readonly channel: ByteChannel;
  private readonly peer: ChannelPeer;
  private readonly terminal: ShellTerminal | null;
  private readonly input: ChannelInput;
  private readonly history: History;
  private readonly maxLine: number;
  private columns: number;
  private readonly io: ConsoleIO;
  private state: SessionState = { name: 'running', command: '' };
  /** The last line the editor finished ended with CR: an LF that follows is its second half. */
  private afterCr = false;

  constructor(deps: ConsoleDeps, channel: ByteChannel, peer: ChannelPeer, terminal: ShellTerminal | null) {
    this.deps = deps;
    this.channel = channel;
    this.peer = peer;
    this.terminal = terminal;
    this.input = new ChannelInput(channel.input, channel.signal);
    this.history = new History(deps.config.console.history);
    this.maxLine = deps.config.console.max_line;
    this.columns = terminal?.size.columns || 80;
    this.io = {
      interactive: terminal !== null,
      out: (...lines) => this.out(...lines),
      err: (line) => this.err(line),
      ask: (prompt, options) => this.ask(prompt, options?.secret === true),
    };
  }

  /** Exec mode (RFC 4254 §6.5 "exec"): one command, its status. */
  async exec(line: string): Promise<void> {
    let status: number;
    if (Buffer.byteLength(line) > this.maxLine) {
      await this.err(replies.lineTooLong(this.maxLine));
      status = EXIT_FAILURE;
    } else {
      this.state = { name: 'running', command: line };
      status = (await this.runLine(line)).status;
    }
    this.close(status);
  }

  /** Shell mode (RFC 4254 §6.5 "shell"): command lines until exit, ^D or the end of input. */
  async shell(): Promise<void> {
    const attachment = this.attachTerminal();
    this.terminal?.onResize((size) => {
      this.columns = size.columns || this.columns;
      if (this.state.name === 'line-editing' && this.state.editor) this.write(this.state.editor.resize(this.columns));
    });
    let status = EXIT_OK;
    try {
      if (this.terminal) await this.out(replies.welcome(printable(this.peer.account.address)));
      for (;;) {
        if (this.channel.signal.aborted) break;
        const line = await this.readCommandLine();
        if (line === null) break;
        if (line === undefined) continue;
        this.state = { name: 'running', command: line };
        const result = await this.runLine(line);
        if (result.exit) break;
      }
    } catch (error) {
      this.peer.log.error({ err: error }, 'console session failed');
      status = EXIT_FAILURE;
    } finally {
      attachment.detach();
    }
    this.close(status);
  }

  /** Tab completion: the commands this account may use (as at login; dispatch checks again). */
  private readonly commandNames = (prefix: string): string[] =>
    COMMANDS.filter((c) => !c.admin || this.peer.account.admin)
      .flatMap((c) => [c.name, ...(c.aliases ?? [])])
      .filter((name) => name.startsWith(prefix) && /^[a-z]/.test(name))
      .sort();

  private runLine(line: string) {
    return dispatch(line, { deps: this.deps, peer: this.peer, io: this.io });
  }

  private close(status: number): void {
    if (this.state.name === 'closed') return;
    this.state = { name: 'closed', status };
    this.channel.exit(status);
  }

  // ---------------------------------------------------------------------------
  // Input

  /** A command line; undefined for ^C or a line too long (nothing to run); null at the end. */
  private async readCommandLine(): Promise<string | null | undefined> {
    if (this.terminal) {
      const event = await this.edit(replies.prompt(printable(this.peer.account.address)), { history: this.history, mask: false, complete: this.commandNames });
      if (event.kind === 'eof') return null;
      if (event.kind === 'interrupt') return undefined;
      return event.text;
    }
    const line = await readPlainLine(this.input, this.maxLine);
    if (line.kind === 'end') return null;
    if (line.kind === 'too-long') {
      await this.err(replies.lineTooLong(this.maxLine));
      return undefined;
    }
    return line.text;
  }

  /** Runs the line editor until it finishes a line; octets typed beyond it wait for the next one. */
  private async edit(prompt: string, options: { history: History | null; mask: boolean; complete?: (prefix: string) => readonly string[] }): Promise<EditorEvent> {
    const previous = this.state;
    const editor = new LineEditor({ prompt, columns: this.columns, maxBytes: this.maxLine, history: options.history, mask: options.mask, afterCr: this.afterCr, complete: options.complete });
    this.state = { name: 'line-editing', editor };
    this.write(editor.start());
    try {
      for (;;) {
        const chunk = await this.input.next();
        if (chunk === null) return { kind: 'eof' };
        const result = editor.feed(chunk);
        // Back-pressure: a client that types (or pastes) without reading its echo waits.
        await writeText(this.channel.output, result.output);
        if (result.event) {
          this.afterCr = chunk[result.consumed - 1] === 0x0d;
          this.input.unread(chunk.subarray(result.consumed));
          return result.event;
        }
      }
    } finally {
      this.state = previous.name === 'closed' ? previous : { name: 'running', command: previous.name === 'running' ? previous.command : '' };
    }
  }


  private async ask(prompt: string, secret: boolean): Promise<string | null> {
    if (this.terminal) {
      const event = await this.edit(prompt, { history: null, mask: secret });
      if (event.kind === 'interrupt') throw new ConsoleError('failed', 'cancelled');
      return event.kind === 'eof' ? null : event.text;
    }
    const line = await readPlainLine(this.input, this.maxLine);
    if (line.kind === 'too-long') throw new ConsoleError('failed', replies.lineTooLong(this.maxLine));
    return line.kind === 'end' ? null : line.text;
  }

  // ---------------------------------------------------------------------------
  // Output

  private write(text: string): void {
    if (text !== '' && !this.channel.output.destroyed && !this.channel.output.writableEnded) this.channel.output.write(text);
  }

  private out(...lines: string[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    // Every line is made printable here, once for all commands: output carries text from
    // outside (a remote MX's reply in `queue show`, names, subjects) that must not drive
    // the terminal. The console's own texts hold no control characters.
    const text = lines.map(printableLines).join('\n') + '\n';
    return writeText(this.channel.output, this.terminal ? forTerminal(text) : text);
  }

  /** With a pty, diagnostics go to the terminal in order with the rest; without, to stderr. */
  private err(line: string): Promise<void> {
    const safe = printableLines(line);
    if (this.terminal) return writeText(this.channel.output, forTerminal(safe + '\n'));
    return writeText(this.channel.errors, safe + '\n');
  }

  // ---------------------------------------------------------------------------
  // Terminal notices

  private attachTerminal(): TerminalAttachment {
    return this.deps.terminals.attach(this.peer.account.id, (notice) => this.showNotice(notice));
  }

  private showNotice(notice: TerminalNotice): void {
    if (this.state.name === 'closed') return;
    // A terminal that does not read is not sent more and more notices to hold in memory.
    if (this.channel.output.writableLength > NOTICE_BACKLOG) {
      this.peer.log.warn({ account: this.peer.account.address, from: notice.from }, 'console: terminal notice dropped, the client is not reading');
      return;
    }
    const lines = [replies.noticeHeader(printable(notice.from), notice.at), ...notice.text.split(/\r?\n/).map(printable), replies.noticeFooter];
    if (lines.at(-2) === '') lines.splice(-2, 1);
    if (!this.terminal) {
      this.write(lines.join('\n') + '\n');
      return;
    }
    const text = lines.join('\r\n') + '\r\n';
    if (this.state.name === 'line-editing' && this.state.editor) this.write(this.state.editor.notice(text));
    else this.write(text);
  }
}

/** `printable` for each line of a text that may hold line ends (tabs are kept). */
function printableLines(text: string): string {
  return text.split(/\r?\n/).map(printable).join('\n');
}
