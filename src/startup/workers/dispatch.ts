// Which worker gets the next connection. The primary knows each worker's open
// connections (a worker reports every one that ends), and picks the worker with the
// fewest from the connecting client, then the fewest in all, then the next in turn:
// so one client's connections spread over every core, and each worker's share of a
// connection limit (limits-config.ts: the cap divided by the workers) fills evenly.
// The client here is the socket's peer: behind a PROXY protocol balancer that is the
// balancer, and the spread is by total only.

interface WorkerLoad {
  open: number;
  perIp: Map<string, number>;
}

export class ConnectionDispatcher {
  private readonly workers = new Map<number, WorkerLoad>();
  private readonly connections = new Map<number, { slot: number; ip: string }>();
  private nextId = 1;
  private turn = 0;

  /** A worker that is ready to serve. */
  add(slot: number): void {
    if (!this.workers.has(slot)) this.workers.set(slot, { open: 0, perIp: new Map() });
  }

  /** A worker that is gone: its connections went with it. */
  remove(slot: number): void {
    this.workers.delete(slot);
    for (const [id, connection] of this.connections) if (connection.slot === slot) this.connections.delete(id);
  }

  get ready(): number {
    return this.workers.size;
  }

  /** The worker for a connection from `ip`, and the id it reports the end with; null when none is ready. */
  assign(ip: string): { slot: number; id: number } | null {
    const slots = [...this.workers.keys()].sort((a, b) => a - b);
    if (slots.length === 0) return null;
    this.turn = (this.turn + 1) % slots.length;
    let best: number | null = null;
    let bestKey: [number, number] = [Infinity, Infinity];
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[(this.turn + i) % slots.length]!;
      const load = this.workers.get(slot)!;
      const key: [number, number] = [load.perIp.get(ip) ?? 0, load.open];
      if (key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
        best = slot;
        bestKey = key;
      }
    }
    const load = this.workers.get(best!)!;
    load.open += 1;
    load.perIp.set(ip, (load.perIp.get(ip) ?? 0) + 1);
    const id = this.nextId++;
    this.connections.set(id, { slot: best!, ip });
    return { slot: best!, id };
  }

  /** The connection ended (the worker said so, or it could not be handed over). */
  closed(id: number): void {
    const connection = this.connections.get(id);
    if (!connection) return;
    this.connections.delete(id);
    const load = this.workers.get(connection.slot);
    if (!load) return;
    load.open -= 1;
    const left = (load.perIp.get(connection.ip) ?? 1) - 1;
    if (left > 0) load.perIp.set(connection.ip, left);
    else load.perIp.delete(connection.ip);
  }

  /** Open connections of one worker (tests, logs). */
  openIn(slot: number): number {
    return this.workers.get(slot)?.open ?? 0;
  }
}
