import { RemovalPolicy } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  IpAddresses,
  Port,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnNamespace, CfnWorkgroup } from 'aws-cdk-lib/aws-redshiftserverless';
import {
  AwsCustomResource,
  AwsCustomResourcePolicy,
  PhysicalResourceId,
  type AwsSdkCall,
} from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { WarehouseTarget } from '../platform-function';

export interface WarehouseProps {
  /** The namespace and workgroup are `${namePrefix}-warehouse`. */
  readonly namePrefix: string;
  /** Default 8, Redshift Serverless's smallest base capacity. */
  readonly baseCapacityRpus?: number;
  /** Default 64: a ceiling on what a burst of queries may cost. */
  readonly maxCapacityRpus?: number;
  /** The namespace holds the data: RETAIN by default; dev stages may pass DESTROY. */
  readonly removalPolicy?: RemovalPolicy;
}

/** The database the migrations (functions/analytics/domain/migrations.ts) run in. */
export const WAREHOUSE_DATABASE = 'ecicomm';
/** Not Redshift's default `awsuser` or `admin`: a guessed name is half a credential. */
export const WAREHOUSE_ADMIN_USER = 'ecicomm_admin';
export const WAREHOUSE_PORT = 5439;

/**
 * The analytics warehouse: Redshift Serverless (namespace + workgroup) in its own VPC of private isolated
 * subnets in three availability zones (Serverless needs three), not publicly accessible, with enhanced VPC
 * routing, SSL required and audit logs exported.
 *
 * Credentials: Redshift manages the admin password in Secrets Manager (`manageAdminPassword`) and rotates it
 * itself, so no password passes through the template, no rotation function of ours runs in the VPC, and no
 * secret resource sits in the template unrotated (cdk-nag SMG4). CloudFormation does not return that secret's
 * ARN, so a custom resource reads it with GetNamespace. The loaders (Data API) and QuickSight connect with it; the
 * analytics API does not: it signs in as its own IAM roles, mapped to the read-only reader role (migration 5 of
 * functions/analytics/domain/migrations.ts; lib/contexts/platform-function.ts), and the health check only asks
 * the workgroup's status. The Data API reaches the workgroup without entering the VPC: nothing but QuickSight's
 * VPC connection is let in.
 */
export class Warehouse extends Construct {
  readonly vpc: Vpc;
  readonly securityGroup: SecurityGroup;
  readonly namespace: CfnNamespace;
  readonly workgroup: CfnWorkgroup;
  /** What PlatformFunction needs to give a function the warehouse. */
  readonly target: WarehouseTarget;
  readonly secretArn: string;
  /** Reads the secret's ARN at deployment (CloudFormation does not return it); runs as this role. */
  readonly adminSecretLookup: AwsCustomResource;
  readonly adminSecretLookupRole: Role;
  readonly endpoint: { readonly host: string; readonly port: number };

  constructor(scope: Construct, id: string, props: WarehouseProps) {
    super(scope, id);
    const name = `${props.namePrefix}-warehouse`;

    this.vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr('10.40.0.0/20'),
      // The stack gives three zones without a lookup (EciCommStack.availabilityZones).
      maxAzs: 3,
      natGateways: 0,
      subnetConfiguration: [{ name: 'warehouse', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      // Closing the default group takes a custom-resource Lambda; nothing here uses that group, and the
      // subnets have no route out of the VPC.
      restrictDefaultSecurityGroup: false,
    });
    this.vpc.addFlowLog('FlowLogs', {
      destination: FlowLogDestination.toCloudWatchLogs(
        new LogGroup(this, 'FlowLogGroup', { retention: RetentionDays.ONE_YEAR }),
      ),
      trafficType: FlowLogTrafficType.ALL,
    });

    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: this.vpc,
      description: `Redshift Serverless workgroup ${name}: only the QuickSight VPC connection may connect`,
      allowAllOutbound: false,
    });

    this.namespace = new CfnNamespace(this, 'Namespace', {
      namespaceName: name,
      dbName: WAREHOUSE_DATABASE,
      adminUsername: WAREHOUSE_ADMIN_USER,
      manageAdminPassword: true,
      // Connection and user logs for audit; the activity log needs enable_user_activity_logging below.
      logExports: ['connectionlog', 'userlog', 'useractivitylog'],
    });
    this.namespace.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);

    this.workgroup = new CfnWorkgroup(this, 'Workgroup', {
      workgroupName: name,
      namespaceName: this.namespace.attrNamespaceNamespaceName,
      baseCapacity: props.baseCapacityRpus ?? 8,
      maxCapacity: props.maxCapacityRpus ?? 64,
      publiclyAccessible: false,
      enhancedVpcRouting: true,
      port: WAREHOUSE_PORT,
      subnetIds: this.vpc.isolatedSubnets.map((s) => s.subnetId),
      securityGroupIds: [this.securityGroup.securityGroupId],
      configParameters: [
        { parameterKey: 'require_ssl', parameterValue: 'true' },
        { parameterKey: 'enable_user_activity_logging', parameterValue: 'true' },
      ],
    });

    this.adminSecretLookupRole = new Role(this, 'AdminSecretLookupRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Reads the ARN of the admin secret of Redshift Serverless namespace ${name} at deployment`,
    });
    this.adminSecretLookup = this.lookUpAdminSecret(name, this.adminSecretLookupRole);
    this.secretArn = this.adminSecretLookup.getResponseField('namespace.adminPasswordSecretArn');
    this.endpoint = {
      host: this.workgroup.attrWorkgroupEndpointAddress,
      port: this.workgroup.attrWorkgroupEndpointPort,
    };
    this.target = {
      workgroupName: this.workgroup.attrWorkgroupWorkgroupName,
      workgroupArn: this.workgroup.attrWorkgroupWorkgroupArn,
      database: WAREHOUSE_DATABASE,
      secretArn: this.secretArn,
    };
  }

  /** Lets a security group (QuickSight's VPC connection) open connections to the workgroup. */
  allowConnectionsFrom(peer: SecurityGroup, description: string) {
    this.securityGroup.addIngressRule(peer, Port.tcp(WAREHOUSE_PORT), description);
  }

  /**
   * Reads the ARN of the secret Redshift created for the admin credentials, once the namespace exists. It runs as
   * its own role: the default one carries AWSLambdaBasicExecutionRole (logs in every group of the account).
   */
  private lookUpAdminSecret(namespaceName: string, role: Role): AwsCustomResource {
    const logs = new LogGroup(this, 'AdminSecretLookupLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    logs.grantWrite(role);
    const getNamespace: AwsSdkCall = {
      service: 'RedshiftServerless',
      action: 'getNamespace',
      parameters: { namespaceName: this.namespace.attrNamespaceNamespaceName },
      physicalResourceId: PhysicalResourceId.of(`${namespaceName}-admin-secret`),
      outputPaths: ['namespace.adminPasswordSecretArn'],
    };
    return new AwsCustomResource(this, 'AdminSecretLookup', {
      resourceType: 'Custom::RedshiftServerlessAdminSecret',
      onCreate: getNamespace,
      onUpdate: getNamespace,
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({
          actions: ['redshift-serverless:GetNamespace'],
          resources: [this.namespace.attrNamespaceNamespaceArn],
        }),
      ]),
      role,
      logGroup: logs,
      // The runtime's SDK has GetNamespace; installing the latest would download from npm during deployment.
      installLatestAwsSdk: false,
    });
  }
}
