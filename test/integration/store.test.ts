import { connectDatabase, type Database } from '../../src/store/database.js';
import { createRepositories, DuplicateKeyError, type Repositories } from '../../src/store/repositories.js';
import type { LayerVersion, OsLayer } from '../../src/domain/model.js';
import { freshMongoUri } from '../support/stand-ins.js';

let database: Database;
let repos: Repositories;
const storeUri = freshMongoUri('store');
beforeAll(async () => {
  database = await connectDatabase(storeUri);
  repos = createRepositories(database.db);
});
afterAll(async () => {
  await database.db.dropDatabase();
  await database.close();
});

const layer = (name: string): OsLayer => ({
  _id: `layer-${name}`,
  name,
  description: 'Windows Server 2022 golden image',
  osType: 'Windows',
  vmGeneration: 'V2',
  connectorId: 'conn-1',
  createdBy: 'UADMIN1',
  createdAt: new Date('2026-11-01T10:00:00Z'),
});

describe(`store on ${process.env.TEST_STORE}`, () => {
  it('creates every collection with its indexes at start', async () => {
    const names = (await database.db.listCollections().toArray()).map((c) => c.name).sort();
    expect(names).toEqual(expect.arrayContaining(['audit', 'claims', 'connectors', 'drafts', 'layers', 'roles', 'tasks', 'versions']));
    const versionIndexes = await database.db.collection('versions').indexes();
    expect(versionIndexes.find((i) => i.name === 'layer_name_unique')).toMatchObject({ unique: true, key: { layerId: 1, name: 1 } });
  });

  it('starts again on a database it already set up (a restart)', async () => {
    const again = await connectDatabase(storeUri);
    expect(await again.ping()).toBe(true);
    await again.close();
  });

  it('round-trips a layer with dates and nested fields intact', async () => {
    await repos.layers.insert(layer('win2022'));
    const back = await repos.layers.get('layer-win2022');
    expect(back).toEqual(layer('win2022'));
    expect(back?.createdAt).toBeInstanceOf(Date);
    expect(await repos.layers.update('layer-win2022', { description: 'updated' })).toBe(true);
    expect((await repos.layers.get('layer-win2022'))?.description).toBe('updated');
    expect(await repos.layers.update('layer-missing', { description: 'x' })).toBe(false);
    await repos.layers.update('layer-win2022', { latestVersionId: 'v9' });
    await repos.layers.update('layer-win2022', { latestVersionId: undefined });
    expect(await repos.layers.get('layer-win2022')).not.toHaveProperty('latestVersionId');
  });

  it('refuses a second layer with the same name', async () => {
    await repos.layers.insert(layer('win11'));
    await expect(repos.layers.insert({ ...layer('win11'), _id: 'layer-other' })).rejects.toBeInstanceOf(DuplicateKeyError);
  });

  it('keeps version names unique per layer, not globally', async () => {
    const version = (id: string, layerId: string): LayerVersion => ({
      _id: id,
      layerId,
      name: '2026-11',
      description: '',
      maxLayerSizeGb: 100,
      connectorId: 'conn-1',
      packagingDiskFilename: 'win-2026-11.vhd',
      status: 'publishing',
      createdBy: 'UADMIN1',
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    await repos.versions.insert(version('v1', 'layer-a'));
    await repos.versions.insert(version('v2', 'layer-b'));
    await expect(repos.versions.insert(version('v3', 'layer-a'))).rejects.toBeInstanceOf(DuplicateKeyError);
    expect((await repos.versions.list({ status: 'publishing' }, { sort: { _id: 1 } })).map((v) => v._id)).toEqual(['v1', 'v2']);
    expect(await repos.versions.remove('v2')).toBe(true);
    expect(await repos.versions.get('v2')).toBeNull();
  });

  it('gives an exclusive claim to exactly one of many concurrent claimants', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => repos.claims.tryClaim('finalize:v1', `worker-${i}`)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = `worker-${results.indexOf(true)}`;
    expect((await repos.claims.get('finalize:v1'))?.owner).toBe(winner);
  });

  it('treats unknown users as Read Only and bootstrap admins as Administrators', async () => {
    await repos.roles.insert({ _id: 'UMGR1', role: 'manage-os-layers', assignedBy: 'UADMIN1', at: new Date() });
    expect(await repos.roles.roleOf('UMGR1', ['UADMIN1'])).toBe('manage-os-layers');
    expect(await repos.roles.roleOf('UADMIN1', ['UADMIN1'])).toBe('administrator');
    expect(await repos.roles.roleOf('UNOBODY', ['UADMIN1'])).toBe('read-only');
  });
});
