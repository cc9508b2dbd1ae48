import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Sits between the bot and Azurite. Every Copy Blob request (it carries `x-ms-copy-source`) is
 * counted by target and passed on, so Azure starts the copy; while `holdCopies` is on, the answer
 * is kept from the bot, which is then "in the middle of the copy" for as long as a test needs to
 * kill it there.
 */
export class BlobHoldProxy {
  /** Copy Blob requests Azure received, by target path (/account/container/blob). */
  readonly copies: string[] = [];
  holdCopies = false;
  private server?: Server;
  private waiting: Array<(path: string) => void> = [];
  /** Held copies nobody has asked about yet. */
  private held: string[] = [];
  /** Answers kept from the bots, sent on release (a killed bot's go nowhere). */
  private heldAnswers: Array<() => void> = [];

  constructor(private readonly azuriteEndpoint: string) {}

  /** Starts listening; answers the endpoint to give the simulator, e.g. http://127.0.0.1:PORT/devstoreaccount1. */
  async listen(): Promise<string> {
    const target = new URL(this.azuriteEndpoint);
    this.server = createServer((req, res) => void this.forward(req, res, target));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${target.pathname}`;
  }

  /** Resolves with the target of the next Copy Blob request whose answer is being held (or was, unasked). */
  nextHeldCopy(timeoutMs = 30_000): Promise<string> {
    const already = this.held.shift();
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no Copy Blob request was held within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.push((path) => {
        clearTimeout(timer);
        resolve(path);
      });
    });
  }

  /** Stops holding and sends every held answer. */
  release(): void {
    this.holdCopies = false;
    for (const answer of this.heldAnswers.splice(0)) answer();
  }

  copiesTo(pathEnd: string): number {
    return this.copies.filter((path) => path.endsWith(pathEnd)).length;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async forward(req: IncomingMessage, res: ServerResponse, target: URL): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const isCopy = req.headers['x-ms-copy-source'] !== undefined;
    const path = new URL(req.url ?? '/', 'http://proxy').pathname;
    if (isCopy) this.copies.push(path);
    const upstream = request(
      // The Host header stays the proxy's: Azurite checks a copy source is on "its" host.
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const body: Buffer[] = [];
        answer.on('data', (c: Buffer) => body.push(c));
        answer.on('end', () => {
          const answerNow = () => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(body));
          };
          if (isCopy && this.holdCopies) {
            // The bot hears back only on release: a test kills it meanwhile.
            this.heldAnswers.push(answerNow);
            const notify = this.waiting.shift();
            if (notify) notify(path);
            else this.held.push(path);
            return;
          }
          answerNow();
        });
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    upstream.end(Buffer.concat(chunks));
  }
}
