import type { Repositories } from '../store/repositories.js';
import { livePortalLink, taskMessage, watchedMachine } from '../../views/task-message.js';
import type { RenderTask } from '../slack/task-notifier.js';
import { adviceFor } from '../domain/integrity.js';
import { AUTOPILOT_STEP_LABEL } from '../domain/autopilot.js';
import { portalTemplateRights } from '../azure/required-permissions.js';

/** The task message, rebuilt from the stored records, so every update shows the truth. */
export function taskRenderer(repos: Repositories): RenderTask {
  return async (taskId) => {
    const task = await repos.tasks.get(taskId);
    if (!task) return null;
    const [version, layer] = await Promise.all([repos.versions.get(task.versionId), repos.layers.get(task.layerId)]);
    if (!version || !layer) return null;
    const connector = await repos.connectors.get(version.connectorId);
    const integrity = version.lastIntegrity;
    const autopilot = await repos.autopilotRuns.findOne({ taskId, open: true });
    const stopped = autopilot?.stoppedAt && autopilot.failure;
    return taskMessage({
      task,
      layer,
      version,
      portalLink: livePortalLink(version, new Date()),
      ...(connector ? { portalRights: portalTemplateRights(connector) } : {}),
      retryable: task.retryable,
      ...(stopped ? { autopilotStopped: { step: AUTOPILOT_STEP_LABEL[stopped.step], reason: stopped.reason } } : {}),
      ...(autopilot && !autopilot.stoppedAt ? { autopilotAt: AUTOPILOT_STEP_LABEL[autopilot.step ?? 'create-version'] } : {}),
      simulated: connector?.simulated === true,
      blocking: integrity ? adviceFor(integrity.blocking) : undefined,
      runOnceEntries: integrity?.runOnce,
      integrityFailure: integrity?.failure,
      checkedAt: integrity?.checkedAt,
      machine: watchedMachine(version),
    });
  };
}
