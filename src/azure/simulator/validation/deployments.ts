/**
 * Microsoft.Resources/deployments bodies (resources.json, Deployment / DeploymentProperties).
 * ARM deserializes them itself, so a refusal is ARM's `InvalidRequestContent`, not a provider's.
 */
import { object, oneOf, opaque, string, stringMap, type RequestBody } from './shape.js';

const deploymentShape = object(
  'Deployment',
  {
    location: string,
    tags: stringMap,
    properties: object(
      'DeploymentProperties',
      {
        template: opaque,
        templateLink: opaque,
        parameters: { kind: 'map', values: opaque },
        parametersLink: opaque,
        mode: oneOf('DeploymentMode', 'Incremental', 'Complete'),
        debugSetting: opaque,
        onErrorDeployment: opaque,
        expressionEvaluationOptions: object('ExpressionEvaluationOptions', { scope: oneOf('ExpressionEvaluationOptionsScopeType', 'NotSpecified', 'Outer', 'Inner') }),
      },
      ['mode'],
    ),
  },
  ['properties'],
);
export const deployment: RequestBody = { shape: deploymentShape };
