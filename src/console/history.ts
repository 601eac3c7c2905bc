// The lines a console session has run, for Up/Down in the line editor: bounded
// (console.history), per session, kept in memory only. Not written to disk because a
// line may carry a secret (`user add ADDRESS --password PW`).

export class History {
  private readonly entries: string[] = [];
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = Math.max(0, limit);
  }

  get length(): number {
    return this.entries.length;
  }

  at(index: number): string {
    return this.entries[index] ?? '';
  }

  /** Records a line; blank lines and a repeat of the last line are not kept (bash's ignoreboth). */
  add(line: string): void {
    if (this.limit === 0 || line.trim() === '' || line.startsWith(' ') || this.entries.at(-1) === line) return;
    this.entries.push(line);
    if (this.entries.length > this.limit) this.entries.shift();
  }
}
