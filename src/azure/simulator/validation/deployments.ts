/**
 * Microsoft.Resources/deployments bodies (resources.json, Deployment / DeploymentProperties).
 * ARM deserializes them itself, so a refusal is ARM's `InvalidRequestContent`, not a provider's.
 */
import { object, oneOf, opaque, string, stringMap, type Shape } from './shape.js';

export const deployment: Shape = object(
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
        mode: oneOf('Incremental', 'Complete'),
        debugSetting: opaque,
        onErrorDeployment: opaque,
        expressionEvaluationOptions: object('ExpressionEvaluationOptions', { scope: oneOf('NotSpecified', 'Outer', 'Inner') }),
      },
      ['mode'],
    ),
  },
  ['properties'],
);
