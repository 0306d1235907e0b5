// Package webauth signs people in to the bot's web pages with OpenID
// Connect (Sign in with Slack, Microsoft Entra ID, Google, Okta,
// Keycloak…) and turns the signed-in account into one roster person.
//
// The flow is the authorization code flow with state, nonce and PKCE
// (S256). Sessions are random tokens in an HttpOnly, SameSite=Lax cookie
// (Secure, and __Host- prefixed, when the bot is reached over https);
// the store keeps only their SHA-256, with the person and the expiry, so
// sessions survive a restart, a sign-out ends one everywhere, and a copy
// of the database signs nobody in.
//
// Pages ask PersonFrom(r.Context()) who is acting, after Attach ran.
package webauth
