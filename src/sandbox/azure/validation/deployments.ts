/**
 * Microsoft.Resources/deployments bodies (Deployment / DeploymentProperties): at 2024-03-01 as
 * deployments.json defines them (the stored resources.json of that version no longer holds them),
 * at 2025-04-01 as resources.json does, with external inputs, extension configs, a validation level
 * and parameters given by expression. ARM deserializes them itself, so a refusal is ARM's
 * `InvalidRequestContent`, not a provider's. Sources in test/fixtures/arm/SOURCES.md.
 */
import { mapOf, object, oneOf, opaque, string, stringMap, type RequestBody } from './shape.js';

function deployment(from2025: boolean): RequestBody {
  const parameter = object('DeploymentParameter', { value: opaque, reference: opaque, ...(from2025 ? { expression: string } : {}) });
  const properties = object(
    'DeploymentProperties',
    {
      template: opaque,
      templateLink: opaque,
      parameters: mapOf(parameter),
      parametersLink: opaque,
      mode: oneOf('DeploymentMode', 'Incremental', 'Complete'),
      debugSetting: opaque,
      onErrorDeployment: opaque,
      expressionEvaluationOptions: object('ExpressionEvaluationOptions', {
        scope: oneOf('ExpressionEvaluationOptionsScopeType', 'NotSpecified', 'Outer', 'Inner'),
      }),
      ...(from2025 ? { externalInputs: mapOf(opaque), externalInputDefinitions: mapOf(opaque), extensionConfigs: mapOf(opaque), validationLevel: opaque } : {}),
    },
    ['mode'],
  );
  return { shape: object('Deployment', { location: string, tags: stringMap, properties }, ['properties']) };
}

export const deployment20240301 = deployment(false);
export const deployment20250401 = deployment(true);
