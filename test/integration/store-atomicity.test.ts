import { randomUUID } from 'node:crypto';
import { connectDatabase, type Database } from '../../src/store/database.js';
import { createRepositories } from '../../src/store/repositories.js';
import { freshMongoUri } from '../support/stand-ins.js';

/**
 * What Agenda's locking and the bot's claims rest on, asked of the test run's store from two
 * clients (two bot processes) at once. On FerretDB 1.x with SQLite, concurrent findAndModify and
 * conditional updates on one document can all succeed, so job locks there are not exclusive;
 * a unique-key insert is, and the bot's claims and task leases are built on it alone.
 */
let clients: Database[];
const uri = freshMongoUri('atomic');
beforeAll(async () => {
  clients = [await connectDatabase(uri), await connectDatabase(uri)];
});
afterAll(async () => {
  await clients[0]!.db.dropDatabase();
  for (const client of clients) await client.close();
});

const ROUNDS = 20;
const RACERS = 6;
const clientFor = (i: number) => clients[i % clients.length]!;

it('a unique-key claim has exactly one winner among concurrent takers, every time', async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const key = `race:${randomUUID()}`;
    const won = await Promise.all(Array.from({ length: RACERS }, (_, i) => createRepositories(clientFor(i).db).claims.tryClaim(key, `racer-${i}`)));
    expect(won.filter(Boolean)).toHaveLength(1);
  }
});

it('a task lease has one holder however many take it at once, fresh or stale', async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const key = `lease:race:${randomUUID()}`;
    const take = (i: number) => createRepositories(clientFor(i).db).claims.acquireLease(key, `racer-${i}`, new Date(Date.now() - 60_000));
    expect((await Promise.all(Array.from({ length: RACERS }, (_, i) => take(i)))).filter((r) => r.ok)).toHaveLength(1);
    // The holder stops renewing: everyone finds its link stale, and exactly one takes it over.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const staleBefore = new Date();
    const takeOver = (i: number) => createRepositories(clientFor(i).db).claims.acquireLease(key, `taker-${i}`, staleBefore);
    const taken = await Promise.all(Array.from({ length: RACERS }, (_, i) => takeOver(i)));
    expect(taken.filter((r) => r.ok)).toEqual([{ ok: true, generation: 2, tookOver: true }]);
  }
});

it('findAndModify on one document: exclusive on MongoDB, not on FerretDB 1.x with SQLite or PostgreSQL (why job work is fenced by task leases)', async () => {
  let roundsWithSeveralWinners = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const _id = randomUUID();
    await clientFor(0).db.collection<{ _id: string; lockedAt: Date | null }>('locks').insertOne({ _id, lockedAt: null });
    const results = await Promise.all(
      Array.from({ length: RACERS }, (_, i) =>
        clientFor(i).db.collection<{ _id: string; lockedAt: Date | null }>('locks').findOneAndUpdate({ _id, lockedAt: null }, { $set: { lockedAt: new Date() } }),
      ),
    );
    if (results.filter(Boolean).length > 1) roundsWithSeveralWinners++;
  }
  // FerretDB says who it is in buildInfo, whichever backend it runs on (SQLite or PostgreSQL: both let several win).
  const isFerretdb = 'ferretdbVersion' in (await clientFor(0).db.admin().command({ buildInfo: 1 }));
  if (isFerretdb) expect(roundsWithSeveralWinners).toBeGreaterThan(0);
  else expect(roundsWithSeveralWinners).toBe(0);
});
