import { checkBlockKitLimits } from '../../views/limits.js';
import type { VersionDraftValues } from '../../src/domain/model.js';
import { parseForm, packagingDiskStepSchema, versionDetailsSchema, connectorStepSchema } from '../../src/domain/validation.js';
import { ACTION, CALLBACK, WIZARD_FIELD } from '../../views/ids.js';
import { errorsForView, readViewState } from '../../views/state.js';
import {
  confirmStep,
  connectorStep,
  draftIdOf,
  draftUnavailableView,
  FIXED_VHD_LABEL,
  noLayersView,
  packagingDiskStep,
  versionDetailsStep,
} from '../../views/wizard.js';
import { layer, realistic, version, worst } from '../fixtures/views/data.js';
import { blocksOf, buttons, buttonTexts, inputByLabel, labels, submittedUnchanged, visibleText } from '../fixtures/views/inspect.js';

const GIB = 1024 ** 3;
const draftId = 'draft-42';
const win = realistic.layers[0]!;
const layerWithVersions = { layer: { ...win, latestVersionId: 'layer-1-v2' }, versions: realistic.versions };
const values: Required<VersionDraftValues> = {
  layerId: 'layer-1',
  versionName: '2026-11',
  versionDescription: 'November cumulative update\nand Defender platform',
  baseVersionId: 'layer-1-v1',
  maxLayerSizeGb: 150,
  connectorId: 'conn-2',
  packagingDiskFilename: 'win2022-2026-11-packaging.vhd',
  diskFormat: 'fixed-vhd',
};

const steps = {
  details: (v: VersionDraftValues = values) => versionDetailsStep({ draftId, values: v, layer: layerWithVersions }),
  connector: (v: VersionDraftValues = values) => connectorStep({ draftId, values: v, connectors: realistic.connectors }),
  disk: (v: VersionDraftValues = values) => packagingDiskStep({ draftId, values: v, layerName: win.name }),
  confirm: (v: VersionDraftValues = values) =>
    confirmStep({ draftId, values: v, layer: win, baseVersion: realistic.versions[0], connector: realistic.connectors[1] }),
};

describe('Create OS Version wizard', () => {
  it('uses the contract labels on each step', () => {
    expect(labels(steps.details())).toEqual(['Version', 'Version Description', 'Base Version', 'Max Layer Size (GB)']);
    expect(labels(steps.connector())).toEqual(['Platform Connector Configuration']);
    expect(labels(steps.disk())).toEqual(['Packaging Disk Filename', 'Disk Format']);
  });

  it('has one callback per step, a short title, Next on steps 1–3 and Create Version at the end', () => {
    const views = [steps.details(), steps.connector(), steps.disk(), steps.confirm()];
    expect(views.map((v) => v.callback_id)).toEqual([CALLBACK.wizardVersionDetails, CALLBACK.wizardConnector, CALLBACK.wizardPackagingDisk, CALLBACK.wizardConfirm]);
    expect(views.map((v) => v.title.text)).toEqual(Array(4).fill('Create OS Version'));
    expect(views.map((v) => v.submit?.text)).toEqual(['Next', 'Next', 'Next', 'Create Version']);
  });

  it('carries only the draft id in private_metadata', () => {
    for (const v of [steps.details(), steps.connector(), steps.disk(), steps.confirm()]) {
      expect(JSON.parse(v.private_metadata ?? '')).toEqual({ draftId });
      expect(draftIdOf(v.private_metadata)).toBe(draftId);
    }
    expect(draftIdOf('not json')).toBeUndefined();
    expect(draftIdOf('{"draftId":7}')).toBeUndefined();
  });

  it('offers Back on steps 2–4, pointing at the previous step, and not on step 1', () => {
    const back = (v: { blocks: unknown[] }) => buttons(v).filter((b) => b.action_id === ACTION.wizardBack);
    expect(back(steps.details())).toEqual([]);
    expect(back(steps.connector()).map((b) => b.value)).toEqual([CALLBACK.wizardVersionDetails]);
    expect(back(steps.disk()).map((b) => b.value)).toEqual([CALLBACK.wizardConnector]);
    expect(back(steps.confirm()).map((b) => b.value)).toEqual([CALLBACK.wizardPackagingDisk]);
  });

  it('round-trips every value through the steps, so Back and Next keep what was typed', () => {
    const merged: Record<string, unknown> = { layerId: values.layerId };
    for (const [view, schema] of [
      [steps.details(), versionDetailsSchema(30 * GIB)],
      [steps.connector(), connectorStepSchema],
      [steps.disk(), packagingDiskStepSchema],
    ] as const) {
      const parsed = parseForm(schema, { ...merged, ...readViewState(submittedUnchanged(view)) });
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      Object.assign(merged, parsed.value);
    }
    expect(merged).toEqual(values);
  });

  it('shows every value on Confirm and Complete', () => {
    const text = visibleText(steps.confirm());
    for (const [label, value] of [
      ['OS Layer', win.name],
      ['Version', '2026-11'],
      ['Version Description', 'November cumulative update\nand Defender platform'],
      ['Base Version', '2026-01'],
      ['Max Layer Size (GB)', '150'],
      ['Platform Connector Configuration', 'Production East US 2'],
      ['Packaging Disk Filename', 'win2022-2026-11-packaging.vhd'],
      ['Disk Format', FIXED_VHD_LABEL],
    ]) {
      expect(text).toContain(`*${label}*\n${value}`);
    }
  });

  it('escapes user text on Confirm so it cannot ping or link', () => {
    const text = visibleText(steps.confirm({ ...values, versionDescription: 'see <!channel> & <https://x|y>' }));
    expect(text).toContain('see &lt;!channel&gt; &amp; &lt;https://x|y&gt;');
  });
});

describe('Version Details step', () => {
  it('asks for the layer when the command named none, and rebuilds around the choice', () => {
    const view = versionDetailsStep({ draftId, values: {}, layerChoices: realistic.layers });
    const select = inputByLabel(view, 'OS Layer');
    expect(select.dispatch_action).toBe(true);
    expect(select.element.action_id).toBe(ACTION.wizardLayerSelected);
    expect(select.element.options.map((o: { text: { text: string } }) => o.text.text)).toEqual([
      'Windows Server 2019',
      'Windows 11 Enterprise',
      'Windows Server 2022 #1',
    ]);
    expect(labels(view)).not.toContain('Base Version');
    expect(visibleText(view)).toContain('Choose an OS layer to pick the version to start from.');
  });

  it('names the layer instead of asking when it was given', () => {
    expect(labels(steps.details())).not.toContain('OS Layer');
    expect(visibleText(steps.details())).toContain(`Adding a version to *${win.name}*`);
  });

  it('offers only deployable base versions, newest first, with their dates, defaulting to the latest', () => {
    const base = inputByLabel(steps.details({}), 'Base Version').element;
    expect(base.options.map((o: { text: { text: string } }) => o.text.text)).toEqual(['2026-02 · created 2026-01-03', '2026-01 · created 2026-01-02']);
    expect(base.initial_option.value).toBe('layer-1-v2');
  });

  it('defaults Max Layer Size to 100 GB as a whole number from 1 to 4095', () => {
    const unknownSize = { layer: layer(9), versions: [version('layer-9', 1, { diskSizeBytes: undefined })] };
    const size = inputByLabel(versionDetailsStep({ draftId, values: {}, layer: unknownSize }), 'Max Layer Size (GB)').element;
    expect(size).toMatchObject({ type: 'number_input', is_decimal_allowed: false, min_value: '1', max_value: '4095', initial_value: '100' });
    expect(inputByLabel(steps.details({}), 'Max Layer Size (GB)').element.min_value).toBe('30');
    expect(inputByLabel(steps.details(), 'Max Layer Size (GB)').element.initial_value).toBe('150');
  });

  it('opens for a layer whose base disk is bigger than 2048 GiB: max is at least the base disk, so Slack takes the view', () => {
    for (const gib of [3000, 4095, 5000]) {
      const huge = { layer: layer(9), versions: [version('layer-9', 1, { diskSizeBytes: gib * GIB })] };
      const view = versionDetailsStep({ draftId, values: {}, layer: huge });
      const size = inputByLabel(view, 'Max Layer Size (GB)').element;
      expect(Number(size.max_value)).toBeGreaterThanOrEqual(Number(size.min_value));
      expect(checkBlockKitLimits(view, 'modal')).toEqual([]);
    }
  });

  it('never starts below the base disk', () => {
    const big = { layer: layer(9), versions: [version('layer-9', 1, { diskSizeBytes: 127 * GIB })] };
    const size = inputByLabel(versionDetailsStep({ draftId, values: {}, layer: big }), 'Max Layer Size (GB)');
    expect(size.element).toMatchObject({ min_value: '127', initial_value: '127' });
    expect(size.hint.text).toContain('At least 127 GB');
  });

  it('keeps the newest 100 layers in the select and says how to reach the others', () => {
    const view = versionDetailsStep({ draftId, values: {}, layerChoices: worst.layers });
    expect(inputByLabel(view, 'OS Layer').element.options).toHaveLength(100);
    expect(visibleText(view)).toContain('Showing the 100 newest of 150 layers');
  });

  it('answers field errors only on blocks that are on screen', () => {
    const view = versionDetailsStep({ draftId, values: {}, layerChoices: realistic.layers });
    const parsed = parseForm(versionDetailsSchema(), readViewState(submittedUnchanged(view)));
    if (parsed.ok) throw new Error('expected errors');
    expect(Object.keys(parsed.errors)).toEqual(expect.arrayContaining([WIZARD_FIELD.layerId, WIZARD_FIELD.baseVersionId]));
    expect(errorsForView(view, parsed.errors)).toEqual({
      layerId: 'Choose the OS layer to add a version to.',
      versionName: expect.stringContaining('Enter a version name'),
    });
  });
});

describe('Connector step', () => {
  it('has New always and Edit only for a selected connector, explaining why', () => {
    const none = steps.connector({});
    expect(buttonTexts(none)).toEqual(['New', '← Back']);
    expect(visibleText(none)).toContain('Select a configuration to edit it');
    const chosen = steps.connector();
    expect(buttonTexts(chosen)).toEqual(['New', 'Edit', '← Back']);
    expect(buttons(chosen).find((b) => b.action_id === ACTION.wizardConnectorEdit)?.value).toBe('conn-2');
    expect(inputByLabel(chosen, 'Platform Connector Configuration').element.initial_option.value).toBe('conn-2');
  });

  it('describes each connector by cloud, storage account and region', () => {
    const options = inputByLabel(steps.connector(), 'Platform Connector Configuration').element.options;
    expect(options[0]).toMatchObject({ text: { text: 'Production East US 2' }, description: { text: 'Azure US Government · layerstore01 · usgovvirginia' } });
  });

  it('explains connectors and offers New when there are none, with nothing to submit', () => {
    const view = connectorStep({ draftId, values: {}, connectors: [] });
    expect(view.submit).toBeUndefined();
    expect(labels(view)).toEqual([]);
    expect(buttonTexts(view)).toEqual(['New', '← Back']);
    expect(visibleText(view)).toContain('no platform connector configurations yet');
  });
});

describe('Packaging Disk step', () => {
  it('suggests a filename from the layer and version', () => {
    const view = steps.disk({ versionName: '2026-11' });
    expect(inputByLabel(view, 'Packaging Disk Filename').element.initial_value).toBe('windows-server-2022-1-2026-11-packaging.vhd');
  });

  it('offers the single Fixed VHD format, already chosen', () => {
    const format = inputByLabel(steps.disk({}), 'Disk Format').element;
    expect(format.options.map((o: { text: { text: string } }) => o.text.text)).toEqual(['Fixed VHD (the format Azure accepts)']);
    expect(format.initial_option.value).toBe('fixed-vhd');
  });
});

describe('wizard dead ends', () => {
  it.each([
    [draftUnavailableView('expired'), 'sat open too long'],
    [draftUnavailableView('used'), 'already completed'],
    [noLayersView(), '/oslayer import-layer'],
  ])('explain what to do next and offer nothing to submit', (view, says) => {
    expect(view.submit).toBeUndefined();
    expect(view.close?.text).toBe('Close');
    expect(visibleText(view)).toContain(says);
    expect(blocksOf(view)).toHaveLength(1);
  });

  it('say to start again when the draft is gone', () => {
    expect(visibleText(draftUnavailableView('expired'))).toContain('Run `/oslayer add-version` to start again');
  });
});
