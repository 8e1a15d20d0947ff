import {
  AdminConfirmSignUpCommand,
  AdminInitiateAuthCommand,
  CognitoIdentityProviderClient,
  SignUpCommand,
  type ContextDataType,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  EmailTakenError,
  InvalidCredentialsError,
  PasswordRejectedError,
  TooManyAttemptsError,
  type IdentityProvider,
  type SignInContext,
} from '../ports';
import type { Tokens } from '../schemas';

/** Lifetime of a token from its own claims, for providers that leave ExpiresIn out. */
const secondsUntilExpiry = (jwt: string): number => {
  const { exp, iat } = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    exp?: number;
    iat?: number;
  };
  return exp && iat ? exp - iat : 3600;
};

const nameOf = (e: unknown) => (e as { name?: string })?.name ?? '';

const contextData = (context: SignInContext): ContextDataType => ({
  IpAddress: context.ipAddress,
  ServerName: context.serverName,
  ServerPath: context.serverPath,
  HttpHeaders: context.httpHeaders.map(({ name, value }) => ({ headerName: name, headerValue: value })),
  ...(context.encodedData ? { EncodedData: context.encodedData } : {}),
});

export class CognitoIdentityProvider implements IdentityProvider {
  constructor(
    private readonly cognito: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
    private readonly clientId: string,
  ) {}

  async register({
    email,
    password,
    firstName,
    lastName,
  }: {
    email: string;
    password: string;
    firstName: string;
    lastName: string;
  }) {
    let userSub: string | undefined;
    try {
      ({ UserSub: userSub } = await this.cognito.send(
        new SignUpCommand({
          ClientId: this.clientId,
          Username: email,
          Password: password,
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'given_name', Value: firstName },
            { Name: 'family_name', Value: lastName },
          ],
        }),
      ));
    } catch (e) {
      if (nameOf(e) === 'UsernameExistsException' || nameOf(e) === 'AliasExistsException')
        throw new EmailTakenError(email);
      if (nameOf(e) === 'InvalidPasswordException') throw new PasswordRejectedError((e as Error).message);
      if (nameOf(e) === 'TooManyRequestsException') throw new TooManyAttemptsError();
      throw e;
    }
    if (!userSub) throw new Error('Cognito SignUp returned no UserSub');
    // Registration is confirmed at once: the contract has no verification step.
    await this.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: this.userPoolId, Username: email }));
    return { userId: userSub };
  }

  /**
   * The server-side flow (AdminInitiateAuth, with the function's IAM credentials) rather than the public
   * InitiateAuth: only its ContextData carries the caller's IP address to threat protection from a client
   * without a secret (InitiateAuth's UserContextData.IpAddress needs EnablePropagateAdditionalUserContextData,
   * which Cognito allows only on clients with a secret), and the app client then need not allow password sign-in
   * to anyone holding its public id, around the API's firewall (lib/contexts/users.ts).
   */
  async signIn(email: string, password: string, context?: SignInContext): Promise<Tokens> {
    try {
      const { AuthenticationResult: result } = await this.cognito.send(
        new AdminInitiateAuthCommand({
          UserPoolId: this.userPoolId,
          ClientId: this.clientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: email, PASSWORD: password },
          ...(context ? { ContextData: contextData(context) } : {}),
        }),
      );
      if (!result?.IdToken || !result.AccessToken || !result.RefreshToken) throw new InvalidCredentialsError();
      return {
        idToken: result.IdToken,
        accessToken: result.AccessToken,
        refreshToken: result.RefreshToken,
        expiresIn: result.ExpiresIn ?? secondsUntilExpiry(result.IdToken),
      };
    } catch (e) {
      const name = nameOf(e);
      // cognito-local answers a wrong password with InvalidPasswordException; Cognito with NotAuthorizedException.
      if (
        [
          'NotAuthorizedException',
          'UserNotFoundException',
          'UserNotConfirmedException',
          'PasswordResetRequiredException',
          'InvalidPasswordException',
        ].includes(name)
      ) {
        throw new InvalidCredentialsError();
      }
      if (name === 'TooManyRequestsException' || name === 'LimitExceededException') throw new TooManyAttemptsError();
      throw e;
    }
  }
}
