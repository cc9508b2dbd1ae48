import { z } from 'zod';
import { WindowsUpdateGuests, windowsUpdateControlSchema, type WindowsUpdateControl, type WindowsUpdateView } from './windows-update.js';

/** What the layer integrity check looks for inside the packaging machine (DESIGN §5). */
export const guestFlagsSchema = z.strictObject({
  driverRebootPending: z.boolean(),
  rebootPending: z.boolean(),
  msiInProgress: z.boolean(),
  ngenInProgress: z.boolean(),
  ngenQueued: z.boolean(),
  runOnceOutstanding: z.boolean(),
  smsCfgPresent: z.boolean(),
});

export type GuestFlags = z.infer<typeof guestFlagsSchema>;

/** PUT /_simulator/guest/{vm}: any of the flags, plus Windows Update and installed software. */
export const guestControlSchema = guestFlagsSchema.partial().extend(windowsUpdateControlSchema.shape);
export type GuestControl = Partial<GuestFlags> & WindowsUpdateControl;
export type GuestView = GuestFlags & WindowsUpdateView;

const CLEAN_GUEST: GuestFlags = {
  driverRebootPending: false,
  rebootPending: false,
  msiInProgress: false,
  ngenInProgress: false,
  ngenQueued: false,
  runOnceOutstanding: false,
  smsCfgPresent: false,
};

/** Scripts announce what they are on their first line; the guest only understands these. */
const INTEGRITY_CHECK_MARKER = '# oslayer:integrity-check';
const EXPEDITE_NGEN_MARKER = '# oslayer:expedite-ngen';

const NGEN_OUTPUT = [
  'Microsoft (R) CLR Native Image Generator - Version 4.8.9037.0',
  'Copyright (c) Microsoft Corporation.  All rights reserved.',
  'Updating native images...',
  'All compilation targets are up to date.',
  'Executing queued items...',
  'All compilation targets are up to date.',
].join('\n');

/**
 * The simulated Windows guests, by VM name. Flags are kept per name, not per VM, so a test
 * can prepare a guest before the machine exists (the bot creates it under a known name).
 */
export class GuestRegistry {
  private readonly guests = new Map<string, GuestFlags>();
  readonly windowsUpdate = new WindowsUpdateGuests();

  flags(vmName: string): GuestFlags {
    return { ...(this.guests.get(vmName.toLowerCase()) ?? CLEAN_GUEST) };
  }

  update(vmName: string, changes: Partial<GuestFlags>): GuestFlags {
    const next = { ...this.flags(vmName), ...changes };
    this.guests.set(vmName.toLowerCase(), next);
    return { ...next };
  }

  /** The control API's view: flags, pending and installed updates, installed programs. */
  view(vmName: string): GuestView {
    return { ...this.flags(vmName), ...this.windowsUpdate.view(vmName) };
  }

  control(vmName: string, changes: z.infer<typeof guestControlSchema>): GuestView {
    const { pendingUpdates, installedUpdates, installedPrograms, agentBootMs, searchError, ...flags } = changes;
    this.update(vmName, flags);
    this.windowsUpdate.update(vmName, { pendingUpdates, installedUpdates, installedPrograms, agentBootMs, searchError });
    return this.view(vmName);
  }

  /** A boot finishes what was waiting for one; NGen, MSI and RunOnce are not boot-bound. */
  boot(vmName: string): void {
    this.update(vmName, { driverRebootPending: false, rebootPending: false });
    this.windowsUpdate.boot(vmName);
  }

  /** Runs a RunPowerShellScript body with its named parameters and answers what the guest would print. */
  runScript(vmName: string, script: readonly string[], parameters: ReadonlyArray<{ name: string; value: string }> = []): { stdout: string; stderr: string; exitCode: number } {
    if (WindowsUpdateGuests.handles(script)) {
      const { rebootPending, ...answer } = this.windowsUpdate.run(vmName, script, parameters);
      if (rebootPending) this.update(vmName, { rebootPending: true });
      return answer;
    }
    const marker = script[0]?.trim() ?? '';
    if (marker.startsWith(INTEGRITY_CHECK_MARKER)) {
      return { stdout: JSON.stringify({ v: 1, ...this.flags(vmName) }), stderr: '', exitCode: 0 };
    }
    if (marker.startsWith(EXPEDITE_NGEN_MARKER)) {
      this.update(vmName, { ngenInProgress: false, ngenQueued: false });
      return { stdout: NGEN_OUTPUT, stderr: '', exitCode: 0 };
    }
    return { stdout: '', stderr: '', exitCode: 0 };
  }
}
