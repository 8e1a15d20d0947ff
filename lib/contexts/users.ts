import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { CfnAuthorizer, CognitoUserPoolsAuthorizer, RequestAuthorizer } from 'aws-cdk-lib/aws-apigateway';
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
import type { Group } from '../../functions/shared/auth';
import { PlatformFunction, type FunctionDefinition } from './platform-function';

/**
 * The function behind the optional-auth authorizer. It verifies tokens itself, so it only needs the
 * pool's and client's ids (an empty userPoolActions list) and no IAM permission on the pool.
 */
export const optionalAuthorizerFunction: FunctionDefinition = {
  id: 'optionalAuthorizer',
  context: 'users',
  handler: 'functions/users/handlers/optional-authorizer.ts',
  summary: 'API Gateway authorizer for routes open to anonymous shoppers: verifies a Cognito ID token when one is sent',
  userPoolActions: [],
};

/** Every group the route table can require; API.md names these two. */
const GROUPS: readonly Group[] = ['admin', 'analyst'];

export interface IdentityProps {
  /** The pool and its client are named after the stage so that stages in one account stay apart. */
  readonly namePrefix: string;
}

/**
 * The users context's identity store: a Cognito user pool where the email is the username, the groups
 * that authorise admin and analyst routes, the client the login and registration functions call, and
 * the API Gateway authorizers that check ID tokens before a non-public route's function runs: Cognito's
 * own for routes that need a user, and a Lambda one for routes open to anonymous shoppers (carts).
 */
export class Identity extends Construct {
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;
  readonly authorizer: CognitoUserPoolsAuthorizer;
  /** Lets a request without an Authorization header through anonymously; one with a header must hold a valid ID token. */
  readonly optionalAuthorizer: RequestAuthorizer;
  readonly optionalAuthorizerFunction: PlatformFunction;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);

    this.userPool = this.buildUserPool(props);
    for (const group of GROUPS) {
      this.userPool.addGroup(`${group}Group`, { groupName: group, description: `API.md's ${group} group` });
    }

    this.userPoolClient = this.userPool.addClient('ApiClient', {
      userPoolClientName: `${props.namePrefix}-api`,
      // ADMIN_USER_PASSWORD_AUTH is what the login function sends, with its IAM credentials and the caller's
      // ContextData (the public InitiateAuth would pass the caller's IP only from a client with a secret).
      // USER_PASSWORD_AUTH stays off: with it anyone holding the client id (every ID token's `aud`) could try
      // passwords against Cognito directly, around the firewall's login limit. Cognito adds refresh-token auth.
      authFlows: { adminUserPassword: true },
      // Public client: the secret would have to live in every function that calls SignUp.
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

    const optional = this.buildOptionalAuthorizer();
    this.optionalAuthorizerFunction = optional.authorizerFunction;
    this.optionalAuthorizer = optional.optionalAuthorizer;
  }

  /** Shoppers sign up and in by email; passwords per API.md; optional TOTP; threat protection enforced. */
  private buildUserPool(props: IdentityProps): UserPool {
    const userPool = new UserPool(this, 'UserPool', {
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
      // Threat protection (compromised-credential and risk-based sign-in checks) needs the Plus tier. Enforced,
      // not audit: audit only records risk, and the API's per-IP firewall limits cannot stop a slow guesser
      // spread over many addresses. It judges the real caller because login passes the caller's IP, headers and
      // device fingerprint as ContextData (functions/users/handlers/login.ts); without them every sign-in
      // would come from the login function's own address, and enforcing would lock out everyone at once.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'Shoppers sign in through POST /v1/auth/login (API.md), which has no MFA challenge step; MFA is offered as optional TOTP and risk-based threat protection is enforced instead.',
    });
    return userPool;
  }

  private buildOptionalAuthorizer() {
    // Cognito's authorizer answers 401 to a request without a token, so routes that also serve anonymous
    // shoppers need their own: it verifies the same ID tokens with the pool's JWKS, and passes the same
    // claims (flat in its context, which functions/shared/auth.ts reads).
    const authorizerFunction = new PlatformFunction(this, 'OptionalAuthorizerFunction', {
      definition: optionalAuthorizerFunction,
      identity: { userPool: this.userPool, userPoolClient: this.userPoolClient },
      // It answers before every cart request, and API Gateway waits at most 10 s for an authorizer.
      timeout: Duration.seconds(5),
    });
    const optionalAuthorizer = new RequestAuthorizer(this, 'OptionalAuthorizer', {
      handler: authorizerFunction.function,
      // API Gateway answers 401 without calling the authorizer when an identity source is missing, and the
      // Authorization header is what anonymous shoppers do not send: no identity source, hence no caching
      // (CDK allows an empty list only with a zero TTL; the decision is per token anyway).
      identitySources: [],
      resultsCacheTtl: Duration.seconds(0),
    });
    // CDK joins the empty list into IdentitySource: ""; the property is optional for a REQUEST authorizer
    // without caching, so it is left out rather than sent as an empty string.
    (optionalAuthorizer.node.defaultChild as CfnAuthorizer).addPropertyDeletionOverride('IdentitySource');
    return { authorizerFunction, optionalAuthorizer };
  }
}
