import { Validations } from 'aws-cdk-lib';
import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { LambdaApplication, LambdaDeploymentConfig, LambdaDeploymentGroup } from 'aws-cdk-lib/aws-codedeploy';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Alias, CfnAlias } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** 10 % of a route's traffic goes to a new version for 5 minutes, then all of it, unless an alarm fires first. */
export const CANARY_CONFIG = LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES;

const applicationNameOf = (props: RouteCanariesProps) => `${props.namePrefix}-api`;

export interface RouteCanariesProps {
  readonly namePrefix: string;
  /** The live alias of each route's function, by route id (lib/contexts/api.ts): what API Gateway invokes. */
  readonly aliases: ReadonlyMap<string, Alias>;
  /** The stage's alarms that stop a canary and roll it back: its API 5xx rate and its Lambda errors. */
  readonly alarms: readonly IAlarm[];
}

/**
 * Canary deployments of the route functions through CodeDeploy. A deployment that changes a route's function
 * publishes a version; CodeDeploy gives it 10 % of the live alias's traffic for 5 minutes and then the rest, and
 * moves the alias back to the old version if one of the stage's alarms fires meanwhile. One application and one
 * service role serve every route. Here, not beside the functions, because the alarms watch every function of the
 * stage: the deployment groups depend on both, and only this nested stack may depend on the route functions' one.
 */
export class RouteCanaries extends Construct {
  readonly application: LambdaApplication;
  readonly role: Role;
  readonly deploymentGroups = new Map<string, LambdaDeploymentGroup>();

  constructor(scope: Construct, id: string, props: RouteCanariesProps) {
    super(scope, id);
    this.application = new LambdaApplication(this, 'Application', { applicationName: applicationNameOf(props) });
    this.role = new Role(this, 'ServiceRole', {
      assumedBy: new ServicePrincipal('codedeploy.amazonaws.com'),
      description: `CodeDeploy shifts the live aliases of the ${props.namePrefix} route functions`,
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSCodeDeployRoleForLambdaLimited')],
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
      reason:
        "CodeDeploy's own limited policy for Lambda: it may read and update aliases and invoke only hooks named CodeDeployHook_*; AWS keeps it exact.",
    });
    for (const [routeId, alias] of props.aliases)
      this.deploymentGroups.set(routeId, this.deploy(routeId, alias, props));
  }

  private deploy(routeId: string, alias: Alias, props: RouteCanariesProps): LambdaDeploymentGroup {
    const deploymentGroupName = `${props.namePrefix}-${routeId}`;
    const group = new LambdaDeploymentGroup(this, routeId, {
      application: this.application,
      deploymentGroupName,
      alias,
      role: this.role,
      deploymentConfig: CANARY_CONFIG,
      alarms: [...props.alarms],
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
    });
    // CDK writes the alias's update policy with Refs to the group, which CloudFormation cannot resolve from the
    // alias's own (nested) stack; the names are fixed, so the policy names them. The group exists before any
    // update of the alias: it is created with the first deployment, and the alias has no update policy on create.
    (alias.node.defaultChild as CfnAlias).cfnOptions.updatePolicy = {
      codeDeployLambdaAliasUpdate: { applicationName: applicationNameOf(props), deploymentGroupName },
    };
    return group;
  }
}
