import { MongoServerError, type Collection, type Db, type Filter, type OptionalUnlessRequiredId, type Sort, type UpdateFilter } from 'mongodb';
import type { CollectionTypes } from './database.js';
import type { Claim, RoleAssignment, Role } from '../domain/model.js';

export class DuplicateKeyError extends Error {
  constructor(what: string) {
    super(`${what} already exists`);
    this.name = 'DuplicateKeyError';
  }
}

function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === 11000;
}

/** The small set of operations every collection needs; queries take typed filters, never strings. */
export class Repository<K extends keyof CollectionTypes> {
  protected readonly col: Collection<CollectionTypes[K]>;

  constructor(db: Db, readonly name: K) {
    this.col = db.collection<CollectionTypes[K]>(name);
  }

  async insert(doc: CollectionTypes[K]): Promise<void> {
    try {
      await this.col.insertOne(doc as OptionalUnlessRequiredId<CollectionTypes[K]>);
    } catch (err) {
      if (isDuplicateKey(err)) throw new DuplicateKeyError(`${this.name} ${String(doc._id)}`);
      throw err;
    }
  }

  get(id: string): Promise<CollectionTypes[K] | null> {
    return this.col.findOne({ _id: id } as Filter<CollectionTypes[K]>) as Promise<CollectionTypes[K] | null>;
  }

  findOne(filter: Filter<CollectionTypes[K]>): Promise<CollectionTypes[K] | null> {
    return this.col.findOne(filter) as Promise<CollectionTypes[K] | null>;
  }

  list(filter: Filter<CollectionTypes[K]> = {}, opts: { sort?: Sort; limit?: number } = {}): Promise<CollectionTypes[K][]> {
    let cursor = this.col.find(filter);
    if (opts.sort) cursor = cursor.sort(opts.sort);
    if (opts.limit) cursor = cursor.limit(opts.limit);
    return cursor.toArray() as Promise<CollectionTypes[K][]>;
  }

  /** Sets fields on one document (a field given as undefined is removed); false when it does not exist. */
  async update(id: string, fields: Partial<CollectionTypes[K]>): Promise<boolean> {
    const set: Record<string, unknown> = {};
    const unset: Record<string, ''> = {};
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) unset[key] = '';
      else set[key] = value;
    }
    const res = await this.col.updateOne({ _id: id } as Filter<CollectionTypes[K]>, {
      ...(Object.keys(set).length > 0 ? { $set: set as Partial<CollectionTypes[K]> } : {}),
      ...(Object.keys(unset).length > 0 ? { $unset: unset } : {}),
    } as UpdateFilter<CollectionTypes[K]>);
    return res.matchedCount === 1;
  }

  async remove(id: string): Promise<boolean> {
    const res = await this.col.deleteOne({ _id: id } as Filter<CollectionTypes[K]>);
    return res.deletedCount === 1;
  }

  /** Deletes every document matching `filter`; how many went. */
  async removeMany(filter: Filter<CollectionTypes[K]>): Promise<number> {
    const res = await this.col.deleteMany(filter);
    return res.deletedCount;
  }
}

export class ClaimRepository extends Repository<'claims'> {
  /** Atomic on MongoDB, Cosmos DB and FerretDB alike: the unique _id decides who wins. */
  async tryClaim(key: string, owner: string): Promise<boolean> {
    try {
      await this.insert({ _id: key, owner, at: new Date() });
      return true;
    } catch (err) {
      if (err instanceof DuplicateKeyError) return false;
      throw err;
    }
  }

  /**
   * A lease is a chain of claims `<key>#1`, `<key>#2`…: the highest is the holder. Every change
   * of holder is an insert with a unique key, the one write that is atomic on every store the
   * bot supports: FerretDB 1.x (SQLite) lets several concurrent conditional updates or
   * findAndModify calls all "win" (measured in test/integration/store-atomicity.test.ts).
   * Only the holder ever updates its own link, to renew it.
   */
  async acquireLease(key: string, owner: string, staleBefore: Date): Promise<LeaseAcquired> {
    const chain = await this.leaseChain(key);
    const top = chain.at(-1);
    if (top && top.claim.at >= staleBefore) return { ok: false, renewedAt: top.claim.at };
    const generation = (top?.generation ?? 0) + 1;
    if (!(await this.tryClaim(leaseLink(key, generation), owner))) return { ok: false, renewedAt: new Date() };
    // Links below ours belong to holders that stopped; removing them tells a paused one it lost.
    await this.col.deleteMany({ _id: { $in: chain.map((link) => leaseLink(key, link.generation)) } });
    return { ok: true, generation, tookOver: top !== undefined };
  }

  /** Renews the holder's link; false once a later link exists or its own is gone (someone took over). */
  async renewLease(key: string, generation: number, owner: string): Promise<boolean> {
    if (await this.get(leaseLink(key, generation + 1))) return false;
    const res = await this.col.updateOne({ _id: leaseLink(key, generation), owner }, { $set: { at: new Date() } });
    return res.matchedCount === 1;
  }

  async releaseLease(key: string, generation: number, owner: string): Promise<void> {
    await this.col.deleteOne({ _id: leaseLink(key, generation), owner });
  }

  /** Whether the lease `key` is held (or was, by a process that died holding it): its job has not finished. */
  async leaseHeld(key: string): Promise<boolean> {
    return (await this.leaseChain(key)).length > 0;
  }

  private async leaseChain(key: string): Promise<Array<{ generation: number; claim: Claim }>> {
    const prefix = `${key}#`;
    const links = await this.col.find({ _id: { $regex: `^${escapeRegex(prefix)}\\d+$` } }).toArray();
    return links
      .map((claim) => ({ generation: Number(claim._id.slice(prefix.length)), claim }))
      .sort((x, y) => x.generation - y.generation);
  }
}

export type LeaseAcquired = { ok: true; generation: number; tookOver: boolean } | { ok: false; renewedAt: Date };

const leaseLink = (key: string, generation: number): string => `${key}#${generation}`;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class RoleRepository extends Repository<'roles'> {
  async roleOf(userId: string, bootstrapAdmins: readonly string[]): Promise<Role> {
    if (bootstrapAdmins.includes(userId)) return 'administrator';
    const found: RoleAssignment | null = await this.get(userId);
    return found?.role ?? 'read-only';
  }
}

export interface Repositories {
  layers: Repository<'layers'>;
  versions: Repository<'versions'>;
  connectors: Repository<'connectors'>;
  tasks: Repository<'tasks'>;
  drafts: Repository<'drafts'>;
  audit: Repository<'audit'>;
  claims: ClaimRepository;
  roles: RoleRepository;
  autopilotSchedules: Repository<'autopilotSchedules'>;
  autopilotRuns: Repository<'autopilotRuns'>;
}

export function createRepositories(db: Db): Repositories {
  return {
    layers: new Repository(db, 'layers'),
    versions: new Repository(db, 'versions'),
    connectors: new Repository(db, 'connectors'),
    tasks: new Repository(db, 'tasks'),
    drafts: new Repository(db, 'drafts'),
    audit: new Repository(db, 'audit'),
    claims: new ClaimRepository(db, 'claims'),
    roles: new RoleRepository(db, 'roles'),
    autopilotSchedules: new Repository(db, 'autopilotSchedules'),
    autopilotRuns: new Repository(db, 'autopilotRuns'),
  };
}
