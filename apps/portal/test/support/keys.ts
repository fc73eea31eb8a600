/**
 * Test identity provider: an RS256 key pair published as a Cognito-style JWKS and an ES256
 * key pair published as an ALB public key (PEM at `<base>/<kid>`), both served by a local
 * HTTP server on 127.0.0.1, plus helpers that sign tokens the way Cognito and the ALB do.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, SignJWT } from "jose";

export const REGION = "eu-west-1";
export const USER_POOL_ID = `${REGION}_TestPool1`;
export const ISSUER = `https://cognito-idp.${REGION}.amazonaws.com/${USER_POOL_ID}`;
export const CLIENT_ID = "portalclient0000000000000";
export const ALB_ARN = `arn:aws:elasticloadbalancing:${REGION}:123456789012:loadbalancer/app/dashboards/50dc6c495c0c9188`;

export interface KeyServer {
    baseUrl: string;
    jwksUrl: string;
    albKeysUrl: string;
    /** Number of requests served, to show keys are really fetched. */
    hits: () => number;
    /** The path of every request served, in order. */
    requested: () => string[];
    signAccessToken(claims?: AccessClaims): Promise<string>;
    signAlbData(claims?: AlbClaims): string;
    /** A second, unpublished key: tokens signed with it must be rejected. */
    signAccessTokenWithRogueKey(claims?: AccessClaims): Promise<string>;
    /**
     * Hostile-input helpers: a token signed with the published key whose header is a valid one
     * with `header` merged over it and whose payload is exactly `payload` (any text, even not JSON).
     */
    signAlbRaw(header?: Record<string, unknown>, payload?: string): string;
    signAccessRaw(header?: Record<string, unknown>, payload?: string): string;
    /** The header and payload fields of a valid token, to start hostile ones from. */
    albHeader(): Record<string, unknown>;
    albPayloadJson(sub?: string): string;
    accessHeader(): Record<string, unknown>;
    accessPayloadJson(sub?: string): string;
    close(): Promise<void>;
}

export interface AccessClaims {
    sub?: string;
    groups?: string[];
    clientId?: string;
    tokenUse?: string;
    issuer?: string;
    /** Seconds from now (negative = already expired). */
    expiresIn?: number;
    username?: string;
    /** More claims, signed with the rest. */
    claims?: Record<string, unknown>;
}

export interface AlbClaims {
    sub?: string;
    email?: string;
    givenName?: string;
    signer?: string;
    client?: string;
    issuer?: string;
    expiresIn?: number;
    /** More userinfo claims, as Cognito's userInfo endpoint returns them (e.g. `identities`, `custom:groups`). */
    claims?: Record<string, unknown>;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

export async function startKeyServer(): Promise<KeyServer> {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const rogue = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const rsaKid = createHash("sha256").update(rsa.publicKey.export({ type: "spki", format: "der" })).digest("base64url").slice(0, 16);
    const albKid = randomUUID(); // the ALB uses UUID key ids; aws-jwt-verify insists on that form
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(rsa.publicKey)), kid: rsaKid, alg: "RS256", use: "sig" }] });
    const albPem = ec.publicKey.export({ type: "spki", format: "pem" }).toString();

    let hits = 0;
    const requested: string[] = [];
    const server: Server = createServer((req, res) => {
        hits++;
        requested.push(req.url ?? "");
        if (req.url === "/cognito/.well-known/jwks.json") {
            res.writeHead(200, { "content-type": "application/json" }).end(jwks);
        } else if (req.url === `/alb/${albKid}`) {
            res.writeHead(200, { "content-type": "text/plain" }).end(albPem);
        } else {
            res.writeHead(404).end();
        }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const access = (key: KeyObject, kid: string) => async (c: AccessClaims = {}) => {
        const now = Math.floor(Date.now() / 1000);
        return new SignJWT({
            "cognito:groups": c.groups ?? [],
            client_id: c.clientId ?? CLIENT_ID,
            token_use: c.tokenUse ?? "access",
            scope: "openid email",
            auth_time: now,
            username: c.username ?? c.sub ?? "user-1",
            ...c.claims,
        })
            .setProtectedHeader({ alg: "RS256", kid })
            .setSubject(c.sub ?? "user-1")
            .setIssuer(c.issuer ?? ISSUER)
            .setIssuedAt(now)
            .setExpirationTime(now + (c.expiresIn ?? 3600))
            .setJti(randomUUID())
            .sign(key);
    };

    /** ALB-style token: ES256, signer/client/kid in the header, payload base64url WITH padding. */
    const signAlbData = (c: AlbClaims = {}) => {
        const exp = Math.floor(Date.now() / 1000) + (c.expiresIn ?? 120);
        const header = { typ: "JWT", kid: albKid, alg: "ES256", iss: c.issuer ?? ISSUER, client: c.client ?? CLIENT_ID, signer: c.signer ?? ALB_ARN, exp };
        const payload = { sub: c.sub ?? "user-1", email: c.email ?? "user1@example.com", given_name: c.givenName, username: c.sub ?? "user-1", ...c.claims, exp, iss: c.issuer ?? ISSUER };
        // A trailing space (still valid JSON) guarantees the length is not a multiple of 3, so "=" padding appears.
        const json = JSON.stringify(payload);
        const padded = Buffer.from(json.length % 3 === 0 ? `${json} ` : json).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
        const input = `${b64url(JSON.stringify(header))}.${padded}`;
        const sig = sign("sha256", Buffer.from(input), { key: createPrivateKey(ec.privateKey.export({ type: "pkcs8", format: "pem" })), dsaEncoding: "ieee-p1363" });
        return `${input}.${b64url(sig)}`;
    };

    const now = () => Math.floor(Date.now() / 1000);
    const albHeader = () => ({ typ: "JWT", kid: albKid, alg: "ES256", iss: ISSUER, client: CLIENT_ID, signer: ALB_ARN, exp: now() + 120 });
    const albPayloadJson = (sub = "user-1") => JSON.stringify({ sub, email: "user1@example.com", username: sub, exp: now() + 120, iss: ISSUER });
    const accessHeader = () => ({ alg: "RS256", kid: rsaKid });
    const accessPayloadJson = (sub = "user-1") =>
        JSON.stringify({ sub, "cognito:groups": [], client_id: CLIENT_ID, token_use: "access", scope: "openid email", username: sub, iss: ISSUER, iat: now(), exp: now() + 3600 });
    const signRaw = (key: KeyObject, options: { dsaEncoding?: "ieee-p1363" }) => (header: Record<string, unknown>, payload: string) => {
        const input = `${b64url(JSON.stringify(header))}.${b64url(payload)}`;
        return `${input}.${b64url(sign("sha256", Buffer.from(input), { key, ...options }))}`;
    };
    const signEs = signRaw(ec.privateKey, { dsaEncoding: "ieee-p1363" });
    const signRs = signRaw(rsa.privateKey, {});

    return {
        baseUrl,
        jwksUrl: `${baseUrl}/cognito/.well-known/jwks.json`,
        albKeysUrl: `${baseUrl}/alb`,
        hits: () => hits,
        requested: () => [...requested],
        signAccessToken: access(rsa.privateKey, rsaKid),
        signAccessTokenWithRogueKey: access(rogue.privateKey, rsaKid),
        signAlbData,
        signAlbRaw: (header = {}, payload = albPayloadJson()) => signEs({ ...albHeader(), ...header }, payload),
        signAccessRaw: (header = {}, payload = accessPayloadJson()) => signRs({ ...accessHeader(), ...header }, payload),
        albHeader,
        albPayloadJson,
        accessHeader,
        accessPayloadJson,
        close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
    };
}

/** Flip one character in the payload so the signature no longer matches. */
export function tamper(token: string): string {
    const [h, p, s] = token.split(".");
    const payload = JSON.parse(Buffer.from(p!, "base64url").toString());
    if ("cognito:groups" in payload) payload["cognito:groups"] = ["admins"];
    else payload.sub = "someone-else";
    return [h, b64url(JSON.stringify(payload)), s].join(".");
}
