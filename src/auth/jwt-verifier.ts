// JwtVerifier checks a user's JWT (jose): HS256 with a shared secret, or RS*/ES*/PS*/EdDSA
// keys from a JWKS URL (fetched and cached by jose). `alg: none` and every algorithm not
// allowed for the configured key are refused, as are expired, not-yet-valid, wrong-issuer
// and wrong-audience tokens. The e-mail is taken only from a verified e-mail claim.
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";

export interface JwtSettings {
  secret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

export interface JwtUser {
  userId: string;
  email?: string;
}

const USER_ID = /^[A-Za-z0-9_-]{1,128}$/;
const ASYMMETRIC = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];

/** looksLikeJwt tells a compact JWS from an opaque API key. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

export class JwtVerifier {
  private readonly secret?: Uint8Array;
  private readonly jwks?: JWTVerifyGetKey;

  constructor(private readonly settings: JwtSettings) {
    if (settings.secret) this.secret = new TextEncoder().encode(settings.secret);
    if (settings.jwksUrl) this.jwks = createRemoteJWKSet(new URL(settings.jwksUrl), { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000 });
  }

  get enabled(): boolean {
    return Boolean(this.secret || this.jwks);
  }

  /** verify returns the user the token names, or undefined when it is not acceptable. */
  async verify(token: string): Promise<JwtUser | undefined> {
    const options = { issuer: this.settings.issuer, audience: this.settings.audience, clockTolerance: 5 };
    let payload: JWTPayload | undefined;
    try {
      if (this.secret) payload = (await jwtVerify(token, this.secret, { ...options, algorithms: ["HS256"] })).payload;
    } catch {
      payload = undefined;
    }
    if (!payload && this.jwks) {
      try {
        payload = (await jwtVerify(token, this.jwks, { ...options, algorithms: ASYMMETRIC })).payload;
      } catch {
        payload = undefined;
      }
    }
    if (!payload || typeof payload.sub !== "string" || !USER_ID.test(payload.sub)) return undefined;
    const user: JwtUser = { userId: payload.sub };
    if (typeof payload.email === "string" && payload.email_verified === true) user.email = payload.email.toLowerCase();
    return user;
  }
}
