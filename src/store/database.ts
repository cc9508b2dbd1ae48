import { MongoClient, type Db, type IndexDescription } from 'mongodb';
import type { AutopilotRun, AutopilotScheduleRecord } from '../domain/autopilot.js';
import type { AuditEntry, Claim, ConnectorConfig, Draft, LayerVersion, OsLayer, RoleAssignment, Task } from '../domain/model.js';

/** One database; every collection the bot uses and the indexes it relies on. */
export const COLLECTIONS: Record<keyof CollectionTypes, IndexDescription[]> = {
  layers: [{ key: { name: 1 }, name: 'name_unique', unique: true }],
  versions: [
    { key: { layerId: 1, name: 1 }, name: 'layer_name_unique', unique: true },
    { key: { status: 1 }, name: 'status' },
  ],
  connectors: [{ key: { name: 1 }, name: 'name_unique', unique: true }],
  tasks: [
    { key: { status: 1, createdAt: -1 }, name: 'status_created' },
    { key: { versionId: 1 }, name: 'version' },
  ],
  drafts: [{ key: { expiresAt: 1 }, name: 'expires' }],
  audit: [{ key: { at: -1 }, name: 'at' }],
  claims: [],
  roles: [],
  autopilotSchedules: [],
  autopilotRuns: [{ key: { layerId: 1, startedAt: -1 }, name: 'layer_started' }],
};

export interface CollectionTypes {
  layers: OsLayer;
  versions: LayerVersion;
  connectors: ConnectorConfig;
  tasks: Task;
  drafts: Draft;
  audit: AuditEntry;
  claims: Claim;
  roles: RoleAssignment;
  autopilotSchedules: AutopilotScheduleRecord;
  autopilotRuns: AutopilotRun;
}

export interface Database {
  client: MongoClient;
  db: Db;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** The database named in the URI's path (mongodb://host/<name>), else `oslayer`. */
export function databaseNameOf(uri: string): string {
  return uri.match(/^mongodb(?:\+srv)?:\/\/[^/]+\/([^/?]+)/)?.[1] ?? 'oslayer';
}

export async function connectDatabase(uri: string): Promise<Database> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10000, appName: 'oslayer' });
  await client.connect();
  const db = client.db(databaseNameOf(uri));
  await ensureIndexes(db);
  return {
    client,
    db,
    ping: async () => {
      try {
        await db.command({ ping: 1 });
        return true;
      } catch {
        return false;
      }
    },
    close: () => client.close(),
  };
}

async function ensureIndexes(db: Db): Promise<void> {
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const [name, indexes] of Object.entries(COLLECTIONS)) {
    if (!existing.has(name)) await db.createCollection(name);
    // One index per command: FerretDB 1.24 panics on a multi-index createIndexes when some of
    // them already exist (every restart), and one at a time costs nothing at start.
    for (const { key, ...options } of indexes) await db.collection(name).createIndex(key, options);
  }
}
