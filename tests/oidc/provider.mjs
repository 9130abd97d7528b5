// A real OpenID provider for the single sign-on tests: the certified `oidc-provider`, with its
// development login form (any login and password; the login is the account's email address).
//
// Configured by one JSON argument: {port, client_id, client_secret, redirect_uri, unverified: [emails],
// id_token_claims: bool}. `unverified` accounts have email_verified false. With `id_token_claims` the
// email is in the ID token; without, only in UserInfo (as most providers send it). Prints "ready <issuer>"
// when it listens. Test use only: development keys, cookies and interactions.
import Provider from 'oidc-provider';

const settings = JSON.parse(process.argv[2]);
const issuer = `http://127.0.0.1:${settings.port}`;
const unverified = new Set((settings.unverified || []).map((email) => email.toLowerCase()));

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: settings.client_id,
      client_secret: settings.client_secret,
      redirect_uris: [settings.redirect_uri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  conformIdTokenClaims: !settings.id_token_claims,
  pkce: { required: () => true },
  cookies: { keys: ['test-only-cookie-key'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, login) {
    return {
      accountId: login,
      async claims() {
        return { sub: login, email: login, email_verified: !unverified.has(login.toLowerCase()) };
      },
    };
  },
});

provider.listen(settings.port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
