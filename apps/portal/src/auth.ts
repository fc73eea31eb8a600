import { AlbJwtVerifier, CognitoJwtVerifier } from "aws-jwt-verify";
import { AlbJwksCache } from "aws-jwt-verify/alb-cache";
import type { Fetcher } from "aws-jwt-verify/https";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { decomposeUnverifiedJwt } from "aws-jwt-verify/jwt";
import { idpGroups } from "./groups.js";
import { describeError } from "./log.js";

/** Headers the ALB adds to every request it forwards after authenticate-oidc. */
// x-amzn-oidc-accesstoken is the IdP's access token, x-amzn-oidc-data the ALB-signed user claims: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
export const ACCESS_TOKEN_HEADER = "x-amzn-oidc-accesstoken";
export const ALB_DATA_HEADER = "x-amzn-oidc-data";

export interface AuthOptions {
    userPoolId: string;
    /** The portal's own app client: the access token's `client_id` and the ALB token's `client`. */
    clientId: string;
    albArn: string;
    /** Base URL of the ALB public keys; the key for a token is at `<base>/<kid>`. */
    albPublicKeysUrl: string;
    /** Test-only: fetch the user pool's JWKS from here instead of the Cognito endpoint. */
    cognitoJwksUrl?: string;
    /** Milliseconds to wait for a key endpoint. */
    fetchTimeoutMs?: number;
}

export interface Identity {
    sub: string;
    groups: string[];
    /** Friendliest name the IdP gave us, for the greeting. */
    displayName: string;
}

/**
 * On failure, `detail` says why (for the log; it never contains a token). It may quote what the
 * client sent (an unsigned `alg` or `kid`, a claim), so it is made inert and bounded: no control
 * characters or line separators, at most MAX_LOGGED_CHARS characters.
 */
export type AuthResult = { ok: true; identity: Identity } | { ok: false; reason: "missing" | "invalid"; detail: string };

/** A token's `sub`: a non-empty string, or the token is refused (two tokens without one must not "match"). */
function subjectOf(payload: { sub?: unknown }, token: string): string {
    if (typeof payload.sub !== "string" || payload.sub === "") throw new Error(`${token} has no sub`);
    return payload.sub;
}

export function cognitoIssuer(userPoolId: string): string {
    // iss is https://cognito-idp.<region>.amazonaws.com/<userPoolId>; the pool id starts with its region: https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html
    return `https://cognito-idp.${userPoolId.split("_")[0]}.amazonaws.com/${userPoolId}`;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Key fetcher on top of the global fetch. aws-jwt-verify's default fetcher speaks https only;
 * this one also allows plain http, but only to loopback, so tests can serve keys locally while
 * a deployed portal can only ever fetch keys over TLS.
 */
export class KeyFetcher implements Fetcher {
    constructor(
        private readonly timeoutMs = 5000,
        /** Fetch this URL whatever the verifier asked for (test-only JWKS override). */
        private readonly fixedUrl?: string,
    ) {}

    async fetch(uri: string): Promise<ArrayBuffer> {
        const url = new URL(this.fixedUrl ?? uri);
        if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname))) {
            throw new Error(`refusing to fetch keys over ${url.protocol} from ${url.host}`);
        }
        const res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs), redirect: "error" });
        if (!res.ok) {
            throw new Error(`key endpoint ${url.href} answered ${res.status}`);
        }
        return res.arrayBuffer();
    }
}

export function createAuthenticator(opts: AuthOptions) {
    const issuer = cognitoIssuer(opts.userPoolId);
    // Access tokens carry token_use "access" and client_id (the app client), checked here: https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
    const accessVerifier = CognitoJwtVerifier.create(
        { userPoolId: opts.userPoolId, tokenUse: "access", clientId: opts.clientId },
        { jwksCache: new SimpleJwksCache({ fetcher: new KeyFetcher(opts.fetchTimeoutMs, opts.cognitoJwksUrl) }) },
    );
    const albVerifier = AlbJwtVerifier.create(
        // signer (header) must be our ALB, client (header) our app client, iss the user pool.
        // ES256 token, key at <ALB public-key endpoint>/<kid>, header fields signer/client/iss/exp: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
        { albArn: opts.albArn, clientId: opts.clientId, issuer, jwksUri: opts.albPublicKeysUrl },
        { jwksCache: new AlbJwksCache({ fetcher: new KeyFetcher(opts.fetchTimeoutMs) }) },
    );

    /** Verified `cognito:groups` and `sub` of a Cognito access token; throws if invalid. */
    async function verifyAccessToken(token: string): Promise<{ sub: string; groups: string[] }> {
        const payload = await accessVerifier.verify(token);
        // The access token lists the user's groups in cognito:groups: https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
        const groups = payload["cognito:groups"];
        return { sub: subjectOf(payload, "access token"), groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === "string") : [] };
    }

    /**
     * Verified user claims of an ALB `x-amzn-oidc-data` token; throws if invalid. `groups` are a
     * federated user's IdP groups (`custom:groups`, a userinfo claim, never in the access token).
     */
    async function verifyAlbData(token: string): Promise<{ sub: string; displayName: string; groups: string[] }> {
        // aws-jwt-verify caches the key object under the payload's iss before it checks the
        // signature; with one issuer configured it takes any iss, so forged tokens with a fresh iss
        // each would grow that cache without bound. Only the pool's iss can pass (checked again,
        // signed, by the verifier). The access-token verifier knows the pool's two issuer forms
        // and refuses any other iss before caching.
        if (decomposeUnverifiedJwt(token).payload.iss !== issuer) throw new Error("ALB token issuer is not the user pool");
        const payload = await albVerifier.verify(token);
        // The payload holds the userInfo claims: the user's attributes, custom ones included: https://docs.aws.amazon.com/cognito/latest/developerguide/userinfo-endpoint.html
        const pick = (key: string) => (typeof payload[key] === "string" && (payload[key] as string).trim()) || undefined;
        const displayName = pick("given_name") ?? pick("name") ?? pick("email") ?? pick("username") ?? pick("preferred_username") ?? "there";
        return { sub: subjectOf(payload, "ALB token"), displayName, groups: idpGroups(payload) };
    }

    /**
     * Both tokens must verify and name the same user: the ALB token proves the request came
     * through our load balancer and carries a federated user's IdP groups, the access token
     * carries the Cognito groups. The user's groups are both, as the login trigger counts them.
     */
    async function authenticate(headers: { get(name: string): string | undefined | null }): Promise<AuthResult> {
        const access = headers.get(ACCESS_TOKEN_HEADER);
        const data = headers.get(ALB_DATA_HEADER);
        if (!access || !data) {
            return { ok: false, reason: "missing", detail: `no ${access ? ALB_DATA_HEADER : ACCESS_TOKEN_HEADER} header` };
        }
        try {
            const [a, d] = await Promise.all([verifyAccessToken(access), verifyAlbData(data)]);
            if (a.sub !== d.sub) {
                return { ok: false, reason: "invalid", detail: "access token and ALB token name different users" };
            }
            return { ok: true, identity: { sub: a.sub, groups: [...new Set([...a.groups, ...d.groups])], displayName: d.displayName } };
        } catch (err) {
            // The verifier's messages quote unsigned header fields (alg, kid) and claims verbatim.
            return { ok: false, reason: "invalid", detail: describeError(err) };
        }
    }

    return { verifyAccessToken, verifyAlbData, authenticate };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
