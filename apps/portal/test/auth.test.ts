import { expect } from "chai";
import { createAuthenticator, KeyFetcher, type Authenticator } from "../src/auth.js";
import { federatedClaims, nativeClaims } from "./support/federation.js";
import { ALB_ARN, CLIENT_ID, startKeyServer, tamper, USER_POOL_ID, type KeyServer } from "./support/keys.js";

async function rejection(p: Promise<unknown>): Promise<Error> {
    try {
        await p;
    } catch (err) {
        return err as Error;
    }
    throw new Error("expected the token to be rejected");
}

function headers(values: Record<string, string>) {
    return new Headers(values);
}

describe("token verification", () => {
    let keys: KeyServer;
    let auth: Authenticator;

    before(async () => {
        keys = await startKeyServer();
        auth = createAuthenticator({
            userPoolId: USER_POOL_ID,
            clientId: CLIENT_ID,
            albArn: ALB_ARN,
            albPublicKeysUrl: keys.albKeysUrl,
            cognitoJwksUrl: keys.jwksUrl,
        });
    });
    after(() => keys.close());

    describe("Cognito access token (x-amzn-oidc-accesstoken)", () => {
        it("accepts a valid token and returns its groups, fetching the JWKS", async () => {
            const before = keys.hits();
            const token = await keys.signAccessToken({ sub: "alice", groups: ["sales", "ops"] });
            expect(await auth.verifyAccessToken(token)).to.deep.equal({ sub: "alice", groups: ["sales", "ops"] });
            expect(keys.hits()).to.be.greaterThan(before);
        });

        it("returns no groups when the claim is absent", async () => {
            const token = await keys.signAccessToken({ sub: "bob" });
            expect((await auth.verifyAccessToken(token)).groups).to.deep.equal([]);
        });

        it("rejects an expired token", async () => {
            const err = await rejection(auth.verifyAccessToken(await keys.signAccessToken({ expiresIn: -60 })));
            expect(err.message).to.match(/expired/i);
        });

        it("rejects a token for another app client", async () => {
            const err = await rejection(auth.verifyAccessToken(await keys.signAccessToken({ clientId: "someotherclient" })));
            expect(err.message).to.match(/client/i);
        });

        it("rejects an ID token", async () => {
            const err = await rejection(auth.verifyAccessToken(await keys.signAccessToken({ tokenUse: "id" })));
            expect(err.message).to.match(/token use/i);
        });

        it("rejects a token from another user pool", async () => {
            const err = await rejection(auth.verifyAccessToken(await keys.signAccessToken({ issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other" })));
            expect(err.message).to.match(/issuer/i);
        });

        it("rejects a tampered token (groups rewritten)", async () => {
            const token = tamper(await keys.signAccessToken({ groups: ["sales"] }));
            const err = await rejection(auth.verifyAccessToken(token));
            expect(err.message).to.match(/signature/i);
        });

        it("rejects a token signed by a key the pool did not publish", async () => {
            const err = await rejection(auth.verifyAccessToken(await keys.signAccessTokenWithRogueKey({ groups: ["admins"] })));
            expect(err.message).to.match(/signature/i);
        });

        it("rejects garbage", async () => {
            await rejection(auth.verifyAccessToken("not-a-jwt"));
        });
    });

    describe("ALB user claims (x-amzn-oidc-data)", () => {
        it("accepts a valid token (padded payload) and picks a display name", async () => {
            const token = keys.signAlbData({ sub: "alice", givenName: "Alice" });
            expect(token.split(".")[1]).to.match(/=$/); // ALB quirk: padded base64url payload
            expect(await auth.verifyAlbData(token)).to.deep.equal({ sub: "alice", displayName: "Alice", groups: [] });
            expect((await auth.verifyAlbData(keys.signAlbData({ sub: "bob", email: "bob@example.com" }))).displayName).to.equal("bob@example.com");
        });

        it("rejects an expired token", async () => {
            const err = await rejection(auth.verifyAlbData(keys.signAlbData({ expiresIn: -60 })));
            expect(err.message).to.match(/expired/i);
        });

        it("rejects a token signed for another load balancer", async () => {
            const other = ALB_ARN.replace("dashboards/50dc6c495c0c9188", "other/0123456789abcdef");
            const err = await rejection(auth.verifyAlbData(keys.signAlbData({ signer: other })));
            expect(err.message).to.match(/ALB ARN/);
        });

        it("rejects a token for another app client", async () => {
            const err = await rejection(auth.verifyAlbData(keys.signAlbData({ client: "someotherclient" })));
            expect(err.message).to.match(/client/i);
        });

        it("rejects a tampered token", async () => {
            const err = await rejection(auth.verifyAlbData(tamper(keys.signAlbData({ sub: "alice" }))));
            expect(err.message).to.match(/signature/i);
        });
    });

    describe("authenticate (both headers)", () => {
        it("combines groups from the access token with the name from the ALB token", async () => {
            const result = await auth.authenticate(headers({
                "x-amzn-oidc-accesstoken": await keys.signAccessToken({ sub: "alice", groups: ["ops"] }),
                "x-amzn-oidc-data": keys.signAlbData({ sub: "alice", givenName: "Alice" }),
            }));
            expect(result).to.deep.equal({ ok: true, identity: { sub: "alice", groups: ["ops"], displayName: "Alice" } });
        });

        it("reports missing headers", async () => {
            expect(await auth.authenticate(headers({}))).to.deep.include({ ok: false, reason: "missing" });
            expect(await auth.authenticate(headers({ "x-amzn-oidc-data": keys.signAlbData() }))).to.deep.include({ ok: false, reason: "missing", detail: "no x-amzn-oidc-accesstoken header" });
        });

        it("rejects tokens of two different users", async () => {
            const result = await auth.authenticate(headers({
                "x-amzn-oidc-accesstoken": await keys.signAccessToken({ sub: "mallory", groups: ["admins"] }),
                "x-amzn-oidc-data": keys.signAlbData({ sub: "alice" }),
            }));
            expect(result).to.deep.include({ ok: false, reason: "invalid", detail: "access token and ALB token name different users" });
        });

        it("rejects a valid access token paired with an ALB token from another load balancer", async () => {
            const result = await auth.authenticate(headers({
                "x-amzn-oidc-accesstoken": await keys.signAccessToken({ sub: "alice", groups: ["admins"] }),
                "x-amzn-oidc-data": keys.signAlbData({ sub: "alice", signer: ALB_ARN.replace("dashboards", "rogue") }),
            }));
            expect(result).to.deep.include({ ok: false, reason: "invalid" });
            expect(result.ok ? "" : result.detail).to.match(/ALB ARN/);
        });
    });

    describe("federated users' groups (custom:groups in the ALB-signed claims)", () => {
        /** authenticate() for a user whose access token has `cognitoGroups` and whose ALB claims are `claims`. */
        async function signIn(claims: Record<string, unknown>, cognitoGroups: string[] = [], data?: string) {
            return auth.authenticate(headers({
                "x-amzn-oidc-accesstoken": await keys.signAccessToken({ sub: "jdoe", groups: cognitoGroups }),
                "x-amzn-oidc-data": data ?? keys.signAlbData({ sub: "jdoe", givenName: "Jane", claims }),
            }));
        }
        const groupsOf = (result: Awaited<ReturnType<Authenticator["authenticate"]>>) => (result.ok ? result.identity.groups : "rejected");

        /** Re-encode a token's payload without re-signing it. */
        function rewritePayload(token: string, claims: Record<string, unknown>): string {
            const [h, p, s] = token.split(".");
            const payload = { ...JSON.parse(Buffer.from(p!, "base64url").toString()), ...claims };
            return [h, Buffer.from(JSON.stringify(payload)).toString("base64url"), s].join(".");
        }

        it("takes a federated user's groups from custom:groups when the access token has none", async () => {
            expect(groupsOf(await signIn(federatedClaims("[sales, Domain Users]")))).to.deep.equal(["sales", "Domain Users"]);
        });

        it("adds IdP groups to the access token's Cognito groups, without duplicates", async () => {
            expect(groupsOf(await signIn(federatedClaims('["sales","ops"]'), ["ops", "eu-west-1_TestPool1_CorpIdP"])))
                .to.deep.equal(["ops", "eu-west-1_TestPool1_CorpIdP", "sales"]);
        });

        it("ignores custom:groups of a native user, who could have written it", async () => {
            expect(groupsOf(await signIn(nativeClaims('["admins"]'), ["ops"]))).to.deep.equal(["ops"]);
        });

        it("never reads custom:groups from the access token", async () => {
            const result = await auth.authenticate(headers({
                "x-amzn-oidc-accesstoken": await keys.signAccessToken({ sub: "jdoe", claims: { identities: federatedClaims("x").identities, "custom:groups": "admins" } }),
                "x-amzn-oidc-data": keys.signAlbData({ sub: "jdoe" }),
            }));
            expect(groupsOf(result)).to.deep.equal([]);
        });

        it("rejects IdP groups written into a signed ALB token after signing", async () => {
            const forged = rewritePayload(keys.signAlbData({ sub: "jdoe", claims: nativeClaims(null) }), federatedClaims("admins"));
            const result = await signIn({}, [], forged);
            expect(result).to.deep.include({ ok: false, reason: "invalid" });
            expect(result.ok ? "" : result.detail).to.match(/signature/i);
        });

        it("rejects an unsigned ALB token carrying IdP groups", async () => {
            const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT", signer: ALB_ARN, client: CLIENT_ID })).toString("base64url");
            const payload = Buffer.from(JSON.stringify({ sub: "jdoe", ...federatedClaims("admins"), exp: Math.floor(Date.now() / 1000) + 60 })).toString("base64url");
            expect(await signIn({}, [], `${header}.${payload}.`)).to.deep.include({ ok: false, reason: "invalid" });
        });

        for (const [what, value] of [["an array", ["admins"]], ["a number", 7], ["an object", { admins: true }]] as const) {
            it(`fails closed, without throwing, when custom:groups is ${what}`, async () => {
                const result = await signIn(federatedClaims(value), ["ops"]);
                expect(result).to.deep.include({ ok: false, reason: "invalid" });
                expect(result.ok ? "" : result.detail).to.include("custom:groups");
            });
        }

        it("copes with a huge custom:groups value", async () => {
            const value = `${"x".repeat(200_000)},${",".repeat(200_000)}sales`;
            expect(groupsOf(await signIn(federatedClaims(value)))).to.deep.equal(["x".repeat(200_000), "sales"]);
        });
    });
});

describe("KeyFetcher", () => {
    it("refuses plain http to anything but loopback", async () => {
        const err = await rejection(new KeyFetcher(1000).fetch("http://public-keys.example.com/abc"));
        expect(err.message).to.match(/refusing/);
    });

    it("fails on an HTTP error status", async () => {
        const keys = await startKeyServer();
        try {
            const err = await rejection(new KeyFetcher(1000).fetch(`${keys.baseUrl}/nothing-here`));
            expect(err.message).to.include("404");
        } finally {
            await keys.close();
        }
    });
});
