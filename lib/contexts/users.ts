import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { CognitoUserPoolsAuthorizer } from 'aws-cdk-lib/aws-apigateway';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { PASSWORD_POLICY } from '../../functions/users/schemas';
import type { Group } from '../routes';

/** Every group the route table can require; API.md names these two. */
const GROUPS: readonly Group[] = ['admin', 'analyst'];

export interface IdentityProps {
  /** The pool and its client are named after the stage so that stages in one account stay apart. */
  readonly namePrefix: string;
}

/**
 * The users context's identity store: a Cognito user pool where the email is the username, the groups
 * that authorise admin and analyst routes, the client the login and registration functions call, and
 * the API Gateway authorizer that checks ID tokens before a non-public route's function runs.
 */
export class Identity extends Construct {
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;
  readonly authorizer: CognitoUserPoolsAuthorizer;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);

    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: `${props.namePrefix}-users`,
      // The registration function signs shoppers up with the public SignUp call and confirms them at once.
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      // Verification codes would go out through Cognito's default sender (a few dozen emails a day) for
      // accounts the API has already confirmed: the contract has no verification step.
      autoVerify: { email: false },
      standardAttributes: {
        email: { required: true, mutable: true },
        givenName: { required: false, mutable: true },
        familyName: { required: false, mutable: true },
      },
      passwordPolicy: {
        minLength: PASSWORD_POLICY.minLength,
        requireUppercase: true,
        requireLowercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // Shoppers may add an authenticator app; SMS would add cost and a phone-number requirement.
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Threat protection (compromised-credential and risk-based sign-in checks) needs the Plus tier.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'Shoppers sign in through POST /v1/auth/login (API.md), which has no MFA challenge step; MFA is offered as optional TOTP and risk-based threat protection is enforced instead.',
    });

    for (const group of GROUPS) {
      this.userPool.addGroup(`${group}Group`, { groupName: group, description: `API.md's ${group} group` });
    }

    this.userPoolClient = this.userPool.addClient('ApiClient', {
      userPoolClientName: `${props.namePrefix}-api`,
      // USER_PASSWORD_AUTH is what the login function sends; Cognito adds refresh-token auth with it.
      authFlows: { userPassword: true },
      // Public client: the secret would have to live in every function that calls SignUp or InitiateAuth.
      generateSecret: false,
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    this.authorizer = new CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      // It only authenticates: group checks happen in the functions (functions/shared/auth.ts), so ID
      // tokens, which carry cognito:groups, are what clients send.
      cognitoUserPools: [this.userPool],
    });
  }
}
